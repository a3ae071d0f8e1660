/**
 * Training speed: seconds per GAN step (G + D gradients, perceptual net, Adam) of the trainer at
 * each crop size on each backend (wasm with 1 and N workers; webgpu in one process), on a synthetic
 * dataset, printed as a table with the speed-up over wasm with 1 worker.
 *
 *   node --import tsx bench/train-bench.ts [--arch fast] [--sizes 256,128] [--workers 1,2] [--backends wasm,webgpu] [--batch 4] [--steps 3] [--phase gan|pretrain]
 *
 * The first step of each configuration (worker start-up, wasm compilation, shader compilation) is
 * not counted. A GPU user runs it to see the gain: `--sizes 256 --batch 8 --backends wasm,webgpu`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable } from '../src/bench/text-table.js';
import { tfjsWebGpuAdapter } from '../src/engine/tfjs-backend.js';
import { BackendUnavailableError } from '../src/errors.js';
import type { TrainBackend } from '../src/train/gradient-engine.js';
import { readMetrics } from '../src/train/metrics.js';
import { train } from '../src/train/trainer.js';
import { makeTinyDataset } from '../test/train/tiny-dataset.js';

const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: 'fast' },
    sizes: { type: 'string', default: '256,128' },
    workers: { type: 'string', default: '1,2' },
    backends: { type: 'string', default: 'wasm,webgpu' },
    batch: { type: 'string', default: '4' },
    steps: { type: 'string', default: '3' },
    phase: { type: 'string', default: 'gan' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const workerCounts = values.workers.split(',').map(Number);
const backends = values.backends.split(',') as TrainBackend[];
for (const b of backends) if (b !== 'wasm' && b !== 'webgpu' && b !== 'cpu') throw new Error(`--backends: unknown backend '${b}'`);
// webgpu runs in one process: one row per size, whatever --workers says.
const configs = backends.flatMap((backend): { backend: TrainBackend; workers: number }[] => (backend === 'webgpu' ? [{ backend, workers: 1 }] : workerCounts.map((workers) => ({ backend, workers }))));
const notes: string[] = [];
const batch = Number(values.batch);
const measured = Number(values.steps);
const arch = values.arch as 'fast' | 'cartoongan';
const dir = await mkdtemp(path.join(os.tmpdir(), 'train-bench-'));
try {
  const maxSize = Math.max(...sizes);
  const data = await makeTinyDataset(path.join(dir, 'data'), { size: maxSize, count: Math.max(4, batch) });
  const rows: { size: number; backend: TrainBackend; workers: number; seconds: number; overhead: number }[] = [];
  for (const size of sizes) {
    for (const { backend, workers } of configs) {
      const out = path.join(dir, `run-${size}-${backend}-${workers}`);
      try {
        await train({
          photos: data, anime: data, out, arch, batch, crop: size, workers, backend, steps: measured + 1,
          pretrainSteps: values.phase === 'pretrain' ? measured + 1 : 0, sampleEvery: 0, checkpointEvery: 1000,
        });
      } catch (err) {
        // No adapter here: the table says so instead of failing the whole bench.
        if (backend === 'webgpu' && err instanceof BackendUnavailableError) {
          notes.push(`webgpu skipped: ${err.message}`);
          continue;
        }
        throw err;
      }
      const lines = (await readMetrics(out)).slice(1);
      const seconds = lines.reduce((a, l) => a + l.seconds, 0) / lines.length;
      const overhead = lines.reduce((a, l) => a + l.seconds - (l.workerSeconds ?? l.seconds), 0) / lines.length;
      rows.push({ size, backend, workers, seconds, overhead });
      process.stderr.write(`${arch} ${size}x${size} batch ${batch} ${backend} workers ${workers}: ${seconds.toFixed(2)} s/step\n`);
    }
  }
  const adapter = tfjsWebGpuAdapter();
  if (adapter) notes.push(`webgpu adapter: ${adapter.name} (${adapter.backend}, ${adapter.software ? 'software' : 'hardware'})`);
  const header = ['arch', 'size', 'batch', 'backend', 'workers', 'phase', 's/step', 'of which outside the gradient engine', 'images/s', 'speed-up vs wasm, 1 worker'];
  const body = rows.map((r) => {
    const one = rows.find((o) => o.size === r.size && o.backend === 'wasm' && o.workers === 1);
    const speedup = one ? (one.seconds / r.seconds).toFixed(2) + '×' : '—';
    return [arch, `${r.size}²`, String(batch), r.backend, String(r.workers), values.phase, r.seconds.toFixed(2), r.overhead.toFixed(3), (batch / r.seconds).toFixed(2), speedup];
  });
  const table = formatTable(header, body, { style: 'markdown' });
  process.stdout.write(`${table}\n\n${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}${notes.map((n) => `\n${n}`).join('')}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
