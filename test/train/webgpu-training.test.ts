/**
 * Training on the webgpu backend (llvmpipe in CI: tiny crops, few steps) against the wasm backend.
 *
 * Tolerance of the loss comparison, 1e-4 relative: both backends compute in float32 but sum in other
 * orders (tiled matmuls, split reductions), which moves each loss by ~1e-6 relative (measured here:
 * at most 2e-6 over 3 steps). Adam then moves every weight by about lr whatever its gradient's size,
 * so a gradient component near zero whose sign differs between the backends moves that weight by up
 * to 2·lr: the gap can grow step by step, but stays far below the loss's change from one step to the
 * next (1e-2 to 1e-1 relative here), which a wrong gradient, seed or batch would show. The gradients
 * themselves are compared directly too (scale-aware, as the worker-pool test does).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { JapananimeError } from '../../src/errors.js';
import { listCheckpoints } from '../../src/train/checkpoint.js';
import { GradientEngine } from '../../src/train/gradient-engine.js';
import { DEFAULT_LOSS_WEIGHTS } from '../../src/train/losses.js';
import { readMetrics } from '../../src/train/metrics.js';
import { readRunConfig } from '../../src/train/run-config.js';
import { train, type TrainOptions } from '../../src/train/trainer.js';
import { ganStep, maxRelDiff } from './gan-step.js';
import { makeTinyDataset } from './tiny-dataset.js';
import { webGpuSkipReason } from './webgpu-available.js';

const skip = await webGpuSkipReason();
const LOSS_TOLERANCE = 1e-4;

let dir = '';
let data = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'webgpu-train-test-'));
  data = await makeTinyDataset(path.join(dir, 'data'), { size: 32, count: 2 });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = (out: string): TrainOptions => ({ photos: data, anime: data, out: path.join(dir, out), batch: 2, crop: 32, workers: 1, sampleEvery: 0, seed: 3 });

function assertLossesClose(a: Record<string, number>, b: Record<string, number>, label: string): void {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), label);
  for (const [k, v] of Object.entries(a)) {
    const w = b[k]!;
    assert.ok(Number.isFinite(v) && Math.abs(v - w) <= LOSS_TOLERANCE * Math.max(Math.abs(w), 1e-3), `${label} ${k}: webgpu ${v} vs wasm ${w}`);
  }
}

test('--backend webgpu with --workers 2 is a usage error', async () => {
  await assert.rejects(train({ ...base('workers'), workers: 2, backend: 'webgpu', steps: 1 }), (e: unknown) => e instanceof JapananimeError && e.code === 'E_USAGE' && /one process/.test(e.message));
});

test('one GAN share: webgpu gradients match wasm', { skip }, async () => {
  const { init, g, d, batch } = ganStep(5);
  const req = { ...batch, weights: DEFAULT_LOSS_WEIGHTS, g, d };
  const results = [];
  for (const backend of ['webgpu', 'wasm'] as const) {
    const engine = await GradientEngine.create({ ...init, backend });
    try {
      results.push(await engine.compute(req));
    } finally {
      engine.close();
    }
  }
  const [gpu, cpu] = results as [NonNullable<(typeof results)[0]>, NonNullable<(typeof results)[0]>];
  assert.ok(maxRelDiff(cpu.gGrads, gpu.gGrads) < 1e-3, `G gradients differ: ${maxRelDiff(cpu.gGrads, gpu.gGrads)}`);
  assert.ok(maxRelDiff(cpu.dGrads!, gpu.dGrads!) < 1e-3, `D gradients differ: ${maxRelDiff(cpu.dGrads!, gpu.dGrads!)}`);
  assertLossesClose(gpu.losses, cpu.losses, 'share');
});

test('webgpu and wasm train alike from the same seed and data, and a webgpu checkpoint resumes on wasm', { skip }, async () => {
  // Reference: 3 steps on wasm. Then 2 steps on webgpu, resumed on wasm for the third.
  await train({ ...base('wasm'), steps: 3, backend: 'wasm' });
  const gpuRun = base('gpu');
  await train({ ...gpuRun, steps: 2, backend: 'webgpu', checkpointEvery: 2 });
  assert.equal((await readRunConfig(gpuRun.out)).backend, 'webgpu');
  assert.deepEqual((await listCheckpoints(gpuRun.out)).map((c) => c.step), [2]);
  const resumed = await train({ out: gpuRun.out, resume: true, steps: 3, backend: 'wasm', workers: 1, sampleEvery: 0 });
  assert.equal(resumed.step, 3);
  assert.equal((await readRunConfig(gpuRun.out)).backend, 'wasm');

  const wasm = await readMetrics(path.join(dir, 'wasm'));
  const mixed = await readMetrics(gpuRun.out);
  assert.deepEqual(mixed.map((l) => l.step), [1, 2, 3]);
  for (const [i, line] of mixed.entries()) assertLossesClose(line.losses, wasm[i]!.losses, `step ${line.step}`);
  // The comparison has teeth: the losses move between steps by far more than the tolerance.
  const change = Math.abs(wasm[2]!.losses['d_total']! - wasm[0]!.losses['d_total']!) / wasm[0]!.losses['d_total']!;
  assert.ok(change > 100 * LOSS_TOLERANCE, `d_total moved only ${change}`);
});
