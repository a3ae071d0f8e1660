import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { gradientLoss, structureLoss } from '../../src/train/losses.js';

void test('the gradient loss ignores a colour offset and sees texture and a missing border', async () => {
  await tf.setBackend('cpu');
  const flat = tf.fill([1, 8, 8, 3], 0.2) as tf.Tensor4D;
  const shifted = tf.fill([1, 8, 8, 3], -0.3) as tf.Tensor4D;
  // A colour offset: the pixel L1 sees it, the gradient loss does not.
  assert.ok(structureLoss(flat, shifted).dataSync()[0]! > 0.49);
  assert.equal(gradientLoss(flat, shifted).dataSync()[0], 0);
  // Texture on a flat target: a checkerboard of ±0.1 has differences of 0.2 everywhere.
  const checker = tf.tensor4d(Array.from({ length: 64 * 3 }, (_, i) => (((Math.floor(i / 3) % 8) + Math.floor(i / 24)) % 2 ? 0.3 : 0.1)), [1, 8, 8, 3]);
  assert.ok(Math.abs(gradientLoss(flat, checker).dataSync()[0]! - 0.4) < 1e-6);
  // A border the target has and the output lacks: one step of 1 in 7 differences per row.
  const step = tf.tensor4d(Array.from({ length: 64 * 3 }, (_, i) => ((Math.floor(i / 3) % 8) < 4 ? -0.5 : 0.5)), [1, 8, 8, 3]);
  assert.ok(Math.abs(gradientLoss(step, flat).dataSync()[0]! - 1 / 7) < 1e-6);
  // Its gradient exists and pushes a textured output towards flat.
  const g = tf.grad((x: tf.Tensor) => gradientLoss(flat, x as tf.Tensor4D))(checker);
  assert.ok(g.dataSync().some((v) => v !== 0));
});
