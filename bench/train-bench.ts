/**
 * Training speed: seconds per GAN step (G + D gradients, perceptual net, Adam) of the trainer at
 * each crop size with 1 and N workers, on a synthetic dataset, printed as a table with the speed-up.
 *
 *   node --import tsx bench/train-bench.ts [--arch fast] [--sizes 256,128] [--workers 1,2] [--batch 4] [--steps 3] [--phase gan|pretrain]
 *
 * The first step of each configuration (worker start-up, wasm compilation) is not counted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readMetrics } from '../src/train/metrics.js';
import { train } from '../src/train/trainer.js';
import { makeTinyDataset } from '../test/train/tiny-dataset.js';

const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: 'fast' },
    sizes: { type: 'string', default: '256,128' },
    workers: { type: 'string', default: '1,2' },
    batch: { type: 'string', default: '4' },
    steps: { type: 'string', default: '3' },
    phase: { type: 'string', default: 'gan' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const workerCounts = values.workers.split(',').map(Number);
const batch = Number(values.batch);
const measured = Number(values.steps);
const arch = values.arch as 'fast' | 'cartoongan';
const dir = await mkdtemp(path.join(os.tmpdir(), 'train-bench-'));
try {
  const maxSize = Math.max(...sizes);
  const data = await makeTinyDataset(path.join(dir, 'data'), { size: maxSize, count: Math.max(4, batch) });
  const rows: { size: number; workers: number; seconds: number; overhead: number }[] = [];
  for (const size of sizes) {
    for (const workers of workerCounts) {
      const out = path.join(dir, `run-${size}-${workers}`);
      await train({
        photos: data, anime: data, out, arch, batch, crop: size, workers, steps: measured + 1,
        pretrainSteps: values.phase === 'pretrain' ? measured + 1 : 0, sampleEvery: 0, checkpointEvery: 1000,
      });
      const lines = (await readMetrics(out)).slice(1);
      const seconds = lines.reduce((a, l) => a + l.seconds, 0) / lines.length;
      const overhead = lines.reduce((a, l) => a + l.seconds - (l.workerSeconds ?? l.seconds), 0) / lines.length;
      rows.push({ size, workers, seconds, overhead });
      process.stderr.write(`${arch} ${size}x${size} batch ${batch} workers ${workers}: ${seconds.toFixed(2)} s/step\n`);
    }
  }
  const header = `| arch | size | batch | workers | phase | s/step | of which outside the workers | images/s | speed-up vs 1 worker |`;
  const lines = [header, '|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const one = rows.find((o) => o.size === r.size && o.workers === 1);
    const speedup = one ? (one.seconds / r.seconds).toFixed(2) + '×' : '—';
    lines.push(`| ${arch} | ${r.size}² | ${batch} | ${r.workers} | ${values.phase} | ${r.seconds.toFixed(2)} | ${r.overhead.toFixed(3)} | ${(batch / r.seconds).toFixed(2)} | ${speedup} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
