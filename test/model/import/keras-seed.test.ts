/**
 * The seed's Keras weights: an HDF5 file in its save_weights layout (seed-h5.ts, full cartoongan
 * shapes, random weights) imported as a `cartoongan-seed` package. Its ONNX graph (real ONNX
 * Runtime) and its tfjs weights (tfjs engine) both equal a reference forward pass written here from
 * the seed's Keras code — conv 'same', LeakyReLU inside the first conv, keras-contrib's
 * InstanceNormalization(axis=None), transposed convs, residual LeakyReLU(add), RGB [0,1] in and out.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createStylizer } from '../../../src/engine/create-stylizer.js';
import { InputError } from '../../../src/errors.js';
import { importModel } from '../../../src/model/import/import-model.js';
import { loadModelPackage, type ModelPackage } from '../../../src/model/model-package.js';
import { countParameters, getArchitecture } from '../../../src/model/spec.js';
import { agreement, testImages } from './reference-run.js';
import { randomSeedWeights, writeSeedH5, type SeedWeight } from './seed-h5.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'japananime-keras-seed-'));
  await tf.setBackend('cpu');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The seed's generator in plain tfjs, from its Keras code (unit_layer.py, model.py). Input and output RGB [0,1] NHWC. */
function seedReference(weights: SeedWeight[], x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const byLayer = (layer: string): tf.Tensor[] => weights.filter((w) => w.layer === layer).map((w) => tf.tensor(w.data, w.shape));
    const lrelu = (t: tf.Tensor4D): tf.Tensor4D => tf.leakyRelu(t, 0.2);
    const conv = (t: tf.Tensor4D, k: tf.Tensor, b: tf.Tensor, stride = 1): tf.Tensor4D => tf.add(tf.conv2d(t, k as tf.Tensor4D, stride, 'same'), b);
    const convT = (t: tf.Tensor4D, k: tf.Tensor, b: tf.Tensor): tf.Tensor4D => {
      const [n, h, w] = t.shape;
      return tf.add(tf.conv2dTranspose(t, k as tf.Tensor4D, [n, h * 2, w * 2, k.shape[2]!], 2, 'same'), b);
    };
    // keras-contrib InstanceNormalization(axis=None): mean and std over all but the batch axis, eps on the std.
    const norm = (t: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor): tf.Tensor4D => {
      const mean = tf.mean(t, [1, 2, 3], true);
      const std = tf.add(tf.sqrt(tf.mean(tf.square(tf.sub(t, mean)), [1, 2, 3], true)), 1e-3);
      return tf.add(tf.mul(tf.div(tf.sub(t, mean), std), g), b);
    };
    const [k0, b0, g0, be0] = byLayer('Flatten_Conv2D') as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    // The seed's first conv has LeakyReLU as its activation: before the norm, and again after it.
    let y = lrelu(norm(lrelu(conv(x, k0, b0)), g0, be0));
    for (const l of ['Down_Conv2D_1', 'Down_Conv2D_2']) {
      const [k1, b1, k2, b2, g1, be1] = byLayer(l) as tf.Tensor[];
      y = lrelu(norm(conv(conv(y, k1!, b1!, 2), k2!, b2!), g1!, be1!));
    }
    for (let i = 1; i <= 8; i++) {
      const [k1, b1, g1, be1, k2, b2, g2, be2] = byLayer(`Residual_unit_${i}`) as tf.Tensor[];
      const body = norm(conv(lrelu(norm(conv(y, k1!, b1!), g1!, be1!)), k2!, b2!), g2!, be2!);
      y = lrelu(tf.add(body, y));
    }
    for (const l of ['Up_Conv2D_1', 'Up_Conv2D_2']) {
      const [k1, b1, k2, b2, g1, be1] = byLayer(l) as tf.Tensor[];
      y = lrelu(norm(conv(convT(y, k1!, b1!), k2!, b2!), g1!, be1!));
    }
    const [k, b] = byLayer('conv2d_37') as [tf.Tensor, tf.Tensor];
    return conv(y, k, b);
  });
}

async function referenceUint8(weights: SeedWeight[], images: Uint8Array, h: number, w: number): Promise<Uint8Array> {
  const x = tf.div(tf.tensor4d(Float32Array.from(images), [1, h, w, 3]), 255) as tf.Tensor4D;
  const y = seedReference(weights, x);
  const data = await y.data();
  tf.dispose([x, y]);
  // The seed saves np.uint8(y * 255); with the values clipped first (np.uint8 would wrap around).
  return Uint8Array.from(data, (v) => Math.round(Math.min(255, Math.max(0, v * 255))));
}

async function stylize(pkg: ModelPackage, engine: 'onnx' | 'tfjs', images: Uint8Array, h: number, w: number): Promise<Uint8Array> {
  const stylizer = await createStylizer({ model: pkg, engine, threads: 1 });
  try {
    const [out] = await stylizer.run([{ data: images, width: w, height: h, pts: 0, index: 0 }]);
    return out!.data;
  } finally {
    await stylizer.close();
  }
}

void test('the seed\'s Keras weights become a cartoongan-seed package equal to the seed\'s forward pass', async () => {
  const weights = randomSeedWeights();
  const file = path.join(dir, 'generator_weights.h5');
  await writeSeedH5(file, weights);
  const out = path.join(dir, 'seed-pkg');
  await importModel({ source: file, out, license: 'MIT' });
  const pkg = await loadModelPackage(out);
  assert.equal(pkg.meta.architecture, 'cartoongan-seed');
  assert.equal(pkg.meta.source?.kind, 'keras-h5');
  assert.equal(pkg.meta.tiling, 'plain-overlap');
  // cartoongan's parameters with scalar norm scales/biases, plus the 12 of range_in.
  assert.equal(pkg.meta.parameters, weights.reduce((n, w) => n + w.data.length, 0) + 12);
  assert.equal(pkg.meta.parameters, countParameters(getArchitecture('cartoongan-seed')));

  const [h, w] = [36, 44];
  const images = testImages(1, h, w);
  const want = await referenceUint8(weights, images, h, w);
  assert.ok(new Set(want).size > 100, 'the reference output is not flat');
  for (const engine of ['onnx', 'tfjs'] as const) {
    const got = await stylize(pkg, engine, images, h, w);
    const { within, maxDiff } = agreement(got, want);
    assert.ok(within >= 0.999, `${engine}: ${(within * 100).toFixed(3)}% within 1 grey level (max diff ${maxDiff})`);
  }
});

void test('h5 files that are not the seed\'s generator: one line, nothing written', async () => {
  const weights = randomSeedWeights();
  const other = path.join(dir, 'vgg.h5');
  await writeSeedH5(other, weights.filter((w) => w.layer === 'Flatten_Conv2D').map((w) => ({ ...w, layer: 'block1_conv1' })));
  const perChannel = path.join(dir, 'per_channel_norms.h5');
  await writeSeedH5(perChannel, weights.map((w) => (w.name.endsWith('gamma:0') && w.layer === 'Flatten_Conv2D' ? { ...w, shape: [64], data: new Float32Array(64).fill(1) } : w)));
  const cases: Array<[string, RegExp]> = [
    [other, /vgg\.h5 is not the seed's generator weights \(expected Keras layers Flatten_Conv2D, Down_Conv2D_1, .*; found block1_conv1\)/],
    [perChannel, /per_channel_norms\.h5: weight Flatten_Conv2D\/instance_normalization\/gamma:0 has shape \[64\], the seed's generator has \[1\] there \(conv_in_norm\/scale\)/],
  ];
  for (const [file, pattern] of cases) {
    await assert.rejects(importModel({ source: file, out: path.join(dir, 'bad'), license: 'MIT' }), (err: unknown) => err instanceof InputError && pattern.test(err.message) && !err.message.includes('\n'));
  }
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('bad') || f.startsWith('.bad')), []);
});
