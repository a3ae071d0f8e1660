import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initTfjs } from '../../src/engine/tfjs-backend.js';
import { INSTANCE_NORM_EPSILON, instanceNormTf } from '../../src/model/instance-norm.js';

/** Plain-JS reference: per sample and channel over H and W, population variance. */
function reference(x: Float32Array, [n, h, w, c]: number[], scale: number[], bias: number[]): Float64Array {
  const out = new Float64Array(x.length);
  for (let b = 0; b < n!; b++)
    for (let ch = 0; ch < c!; ch++) {
      let mean = 0;
      for (let i = 0; i < h! * w!; i++) mean += x[(b * h! * w! + i) * c! + ch]!;
      mean /= h! * w!;
      let v = 0;
      for (let i = 0; i < h! * w!; i++) v += (x[(b * h! * w! + i) * c! + ch]! - mean) ** 2;
      v /= h! * w!;
      for (let i = 0; i < h! * w!; i++) {
        const j = (b * h! * w! + i) * c! + ch;
        out[j] = ((x[j]! - mean) / Math.sqrt(v + INSTANCE_NORM_EPSILON)) * scale[ch]! + bias[ch]!;
      }
    }
  return out;
}

for (const backend of ['cpu', 'wasm'] as const) {
  void test(`instanceNormTf matches the definition (${backend})`, async () => {
    await initTfjs(backend);
    const shape: [number, number, number, number] = [2, 5, 3, 4];
    const x = tf.randomNormal(shape, 3, 2, 'float32', 11) as tf.Tensor4D;
    const scale = [1, 0.5, -2, 3];
    const bias = [0, 1, -1, 0.25];
    const y = instanceNormTf(x, tf.tensor1d(scale), tf.tensor1d(bias));
    const expected = reference(x.dataSync() as Float32Array, shape, scale, bias);
    const got = y.dataSync();
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - expected[i]!) < 1e-4, `at ${i}: ${got[i]} vs ${expected[i]}`);
  });

  void test(`instanceNormTf is differentiable: analytic gradient matches finite differences (${backend})`, async () => {
    await initTfjs(backend);
    const x = tf.randomNormal([1, 4, 4, 2], 0, 1, 'float32', 5) as tf.Tensor4D;
    const scale = tf.tensor1d([1.5, -0.5]);
    const bias = tf.tensor1d([0.1, 0.2]);
    const weights = tf.randomNormal([1, 4, 4, 2], 0, 1, 'float32', 6);
    const loss = (xx: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(instanceNormTf(xx as tf.Tensor4D, s, bias), weights));
    const [gx, gs] = tf.grads((xx: tf.Tensor, s: tf.Tensor) => loss(xx, s))([x, scale]);
    assert.ok(gx && gs);
    const h = 1e-2;
    const xs = x.dataSync();
    for (const i of [0, 7, 13, 30]) {
      const plus = Float32Array.from(xs);
      plus[i]! += h;
      const minus = Float32Array.from(xs);
      minus[i]! -= h;
      const numeric = (loss(tf.tensor(plus, x.shape), scale).dataSync()[0]! - loss(tf.tensor(minus, x.shape), scale).dataSync()[0]!) / (2 * h);
      assert.ok(Math.abs(numeric - gx.dataSync()[i]!) < 2e-2, `dx[${i}]: ${gx.dataSync()[i]} vs numeric ${numeric}`);
    }
    // d loss / d scale[c] = sum over (normalized * weights) for channel c: non-zero.
    assert.ok(Math.abs(gs.dataSync()[0]!) > 1e-3);
  });
}
