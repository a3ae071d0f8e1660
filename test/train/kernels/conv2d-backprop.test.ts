import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerTrainingKernels } from '../../../src/train/kernels/register-training-kernels.js';
import { maxAbsDiff, rand, type ConvCase as Case } from './conv-gradient-cases.js';

const cases: Case[] = [];
for (const s of [1, 2]) for (const pad of ['same', 'valid'] as const) for (const [h, w] of [[8, 8], [7, 9]] as const) for (const k of [3, 4]) {
  cases.push({ n: 2, h, w, ci: 3, co: 5, k, s, pad });
}
cases.push({ n: 1, h: 16, w: 16, ci: 8, co: 16, k: 7, s: 1, pad: 'same' }, { n: 3, h: 5, w: 6, ci: 4, co: 2, k: 1, s: 2, pad: 'valid' });

/** Computes dx and dW of sum(conv(x, W) * dyWeights) on the current backend. */
function grads(c: Case, seed: number): { dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(rand([c.n, c.h, c.w, c.ci], seed), [c.n, c.h, c.w, c.ci]);
    const w = tf.tensor4d(rand([c.k, c.k, c.ci, c.co], seed + 1), [c.k, c.k, c.ci, c.co]);
    const y = tf.conv2d(x, w, c.s, c.pad);
    const weights = tf.tensor(rand(y.shape, seed + 2), y.shape);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), weights)));
    const [dx, dw] = g([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

test('wasm Conv2DBackpropFilter and Conv2DBackpropInput match the cpu backend', async () => {
  await tf.setBackend('cpu');
  const expected = cases.map((c, i) => grads(c, 100 + i));
  await tf.setBackend('wasm');
  registerTrainingKernels();
  const before = tf.memory().numTensors;
  cases.forEach((c, i) => {
    const got = grads(c, 100 + i);
    const e = expected[i]!;
    const label = JSON.stringify(c);
    assert.ok(maxAbsDiff(got.dw, e.dw) < 1e-4, `dW ${label}: ${maxAbsDiff(got.dw, e.dw)}`);
    assert.ok(maxAbsDiff(got.dx, e.dx) < 1e-4, `dx ${label}: ${maxAbsDiff(got.dx, e.dx)}`);
    // The gradient is not all zeros (a wrong kernel returning zeros would otherwise pass a loose check).
    assert.ok(e.dw.some((v) => Math.abs(v) > 1e-3));
  });
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
});

test('wasm DepthwiseConv2dNativeBackpropInput matches the cpu backend', async () => {
  const dwCases = cases.map((c) => ({ ...c, co: c.ci }));
  const run = (c: Case, seed: number): Float32Array => tf.tidy(() => {
    const x = tf.tensor4d(rand([c.n, c.h, c.w, c.ci], seed), [c.n, c.h, c.w, c.ci]);
    const w = tf.tensor4d(rand([c.k, c.k, c.ci, 1], seed + 1), [c.k, c.k, c.ci, 1]);
    const y = tf.depthwiseConv2d(x, w, c.s, c.pad);
    const weights = tf.tensor(rand(y.shape, seed + 2), y.shape);
    // Only the input gradient: the filter is a constant, as in the frozen perceptual network.
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, w, c.s, c.pad), weights)));
    return g(x).dataSync() as Float32Array;
  });
  await tf.setBackend('cpu');
  const expected = dwCases.map((c, i) => run(c, 300 + i));
  await tf.setBackend('wasm');
  registerTrainingKernels();
  dwCases.forEach((c, i) => {
    const d = maxAbsDiff(run(c, 300 + i), expected[i]!);
    assert.ok(d < 1e-4, `dx ${JSON.stringify(c)}: ${d}`);
  });
});

test('conv2dTranspose (the generator up-sampling, stride 2 same) matches the cpu backend, with its gradients', async () => {
  const run = (seed: number): Float32Array[] => tf.tidy(() => {
    const x = tf.tensor4d(rand([2, 5, 6, 8], seed), [2, 5, 6, 8]);
    const w = tf.tensor4d(rand([3, 3, 4, 8], seed + 1), [3, 3, 4, 8]);
    const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 10, 12, 4], 2, 'same');
    const y = f(x, w);
    const weights = tf.tensor(rand(y.shape, seed + 2), y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), weights)))([x, w]);
    return [y.dataSync() as Float32Array, dx!.dataSync() as Float32Array, dw!.dataSync() as Float32Array];
  });
  await tf.setBackend('cpu');
  const expected = run(500);
  await tf.setBackend('wasm');
  registerTrainingKernels();
  const got = run(500);
  expected.forEach((e, i) => assert.ok(maxAbsDiff(got[i]!, e) < 1e-4, `output ${i}: ${maxAbsDiff(got[i]!, e)}`));
});
