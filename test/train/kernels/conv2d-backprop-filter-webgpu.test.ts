import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initTfjs } from '../../../src/engine/tfjs-backend.js';
import { colChunkLimit, colChunkRows } from '../../../src/train/kernels/conv2d-backprop-filter-webgpu.js';
import { registerWebGpuTrainingKernels } from '../../../src/train/kernels/register-training-kernels.js';
import { webGpuSkipReason } from '../webgpu-available.js';
import { maxAbsDiff, rand, type ConvCase as Case } from './conv-gradient-cases.js';

const skip = await webGpuSkipReason();

// Small shapes (llvmpipe is slow): both strides and paddings, odd sizes, a 7×7 first layer, a 1×1.
const cases: Case[] = [];
for (const s of [1, 2]) for (const pad of ['same', 'valid'] as const) cases.push({ n: 2, h: 7, w: 9, ci: 3, co: 5, k: 3, s, pad });
cases.push({ n: 2, h: 8, w: 8, ci: 4, co: 8, k: 4, s: 2, pad: 'same' }, { n: 1, h: 16, w: 16, ci: 3, co: 8, k: 7, s: 1, pad: 'same' }, { n: 3, h: 5, w: 6, ci: 4, co: 2, k: 1, s: 2, pad: 'valid' });

/** dW of sum(conv(x, W) * weights) on the current backend, through the gradient tape. */
async function filterGrad(c: Case, seed: number): Promise<Float32Array> {
  const dw = tf.tidy(() => {
    const x = tf.tensor4d(rand([c.n, c.h, c.w, c.ci], seed), [c.n, c.h, c.w, c.ci]);
    const w = tf.tensor4d(rand([c.k, c.k, c.ci, c.co], seed + 1), [c.k, c.k, c.ci, c.co]);
    const weights = tf.tensor(rand(tf.conv2d(x, w, c.s, c.pad).shape, seed + 2), tf.conv2d(x, w, c.s, c.pad).shape);
    return tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, b as tf.Tensor4D, c.s, c.pad), weights)))(w);
  });
  try {
    return (await dw.data()) as Float32Array;
  } finally {
    dw.dispose();
  }
}

test('colChunkRows: whole when it fits, else the most rows under the binding limit, never 0', () => {
  assert.equal(colChunkRows(100, 27, 1 << 30), 100);
  assert.equal(colChunkRows(1_000_000, 288, 128 * 1024 * 1024), Math.floor((32 * 1024 * 1024) / 288));
  assert.equal(colChunkRows(1000, 10, 400), 10);
  assert.equal(colChunkRows(1000, 1000, 4), 1);
  assert.equal(colChunkRows(1000, 10, 1 << 30, 50), 5);
});

test('webgpu Conv2DBackpropFilter matches the cpu backend, whole and in chunks', { skip }, async () => {
  await tf.setBackend('cpu');
  const expected = await Promise.all(cases.map((c, i) => filterGrad(c, 100 + i)));
  await initTfjs('webgpu');
  await registerWebGpuTrainingKernels();
  assert.equal(tf.getBackend(), 'webgpu');
  const saved = colChunkLimit.elements;
  try {
    // 60 elements per chunk: several chunks (of a few output pixels each) for every case here.
    for (const limit of [saved, 60]) {
      colChunkLimit.elements = limit;
      const before = tf.memory().numTensors;
      for (const [i, c] of cases.entries()) {
        const e = expected[i]!;
        const d = maxAbsDiff(await filterGrad(c, 100 + i), e);
        // Sums of at most a few hundred products of values in [-0.5, 0.5]: float32 order effects are ~1e-6.
        assert.ok(d < 1e-4, `dW ${JSON.stringify(c)} chunk limit ${limit}: ${d}`);
        assert.ok(e.some((v) => Math.abs(v) > 1e-3), 'the reference gradient is not all zeros');
      }
      assert.equal(tf.memory().numTensors, before, 'no tensors leak');
    }
  } finally {
    colChunkLimit.elements = saved;
  }
});
