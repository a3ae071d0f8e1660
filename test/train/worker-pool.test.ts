import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LOSS_WEIGHTS } from '../../src/train/losses.js';
import { averageGradients, GradientEngine } from '../../src/train/gradient-engine.js';
import { ganStep, maxRelDiff } from './gan-step.js';
import { splitShares, WorkerPool, type StepGradients } from '../../src/train/worker-pool.js';

test('splitShares and averageGradients', () => {
  assert.deepEqual(splitShares(5, 2), [3, 2]);
  assert.deepEqual(splitShares(2, 4), [1, 1]);
  assert.deepEqual(splitShares(8, 3), [3, 3, 2]);
  const avg = averageGradients([{ n: 3, grads: new Map([['a', Float32Array.of(1, 2)]]) }, { n: 1, grads: new Map([['a', Float32Array.of(5, 6)]]) }]);
  assert.deepEqual([...avg.get('a')!], [2, 3]);
});

test('one GAN step with 2 worker threads gives the gradients of 1 in-process worker', async () => {
  const { init, g, d, batch } = ganStep(1);
  const results: StepGradients[] = [];
  for (const workers of [1, 2]) {
    const pool = await WorkerPool.create(init, { workers });
    try {
      assert.equal(pool.size, workers);
      results.push(await pool.step(batch, DEFAULT_LOSS_WEIGHTS, { g, d }));
    } finally {
      await pool.close();
      await pool.close();
    }
  }
  const [one, two] = results as [StepGradients, StepGradients];
  for (const key of ['content', 'style', 'g_adv', 'd_real', 'd_fake', 'd_smooth']) {
    assert.ok(Number.isFinite(one.losses[key]), key);
    assert.ok(Math.abs(one.losses[key]! - two.losses[key]!) < 1e-4 * Math.max(1, Math.abs(one.losses[key]!)), `${key}: ${one.losses[key]} vs ${two.losses[key]}`);
  }
  assert.ok(maxRelDiff(one.gGrads, two.gGrads) < 1e-3, `G grads differ by ${maxRelDiff(one.gGrads, two.gGrads)}`);
  assert.ok(maxRelDiff(one.dGrads!, two.dGrads!) < 1e-3, `D grads differ by ${maxRelDiff(one.dGrads!, two.dGrads!)}`);
  // Non-trivial: the gradients are not zero.
  assert.ok([...one.gGrads.get('conv_in/kernel')!].some((v) => Math.abs(v) > 1e-8));
});

test('a typed error inside a worker thread reaches the caller with its code', async () => {
  const { JapananimeError } = await import('../../src/errors.js');
  await assert.rejects(
    WorkerPool.create({ generator: 'fast', discriminator: 'patchgan', perceptual: { name: 'vgg19', weightsPath: '/nonexistent/vgg19.h5' }, backend: 'cpu' }, { workers: 2 }),
    (e: unknown) => e instanceof JapananimeError && e.code === 'E_INPUT_MISSING' && /VGG19 weights file not found/.test(e.message),
  );
});

test('a share larger than one pass is run in chunks with the gradients of one pass', async () => {
  const { init: base, g, d, batch } = ganStep(4);
  const { n, size } = batch;
  const req = { ...batch, weights: DEFAULT_LOSS_WEIGHTS };
  const whole = await GradientEngine.create(base);
  // One image per pass: three chunks of one.
  const chunked = await GradientEngine.create({ ...base, maxPixelsPerPass: size * size });
  try {
    const a = await whole.compute({ ...req, g, d });
    const b = await chunked.compute({ ...req, g, d });
    assert.equal(b.n, n);
    assert.ok(maxRelDiff(a.gGrads, b.gGrads) < 1e-3);
    assert.ok(maxRelDiff(a.dGrads!, b.dGrads!) < 1e-3);
    for (const [k, v] of Object.entries(a.losses)) assert.ok(Math.abs(v - b.losses[k]!) <= 1e-4 * Math.max(1, Math.abs(v)), `${k}: ${v} vs ${b.losses[k]}`);
  } finally {
    whole.close();
    chunked.close();
  }
});
