import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import h5wasm from 'h5wasm/node';
import { JapananimeError } from '../../../src/errors.js';
import { loadVgg19, readVgg19Weights } from '../../../src/train/perceptual/vgg19.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vgg19-test-'));
  await h5wasm.ready;
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A Keras-1-style VGG19 file with the first two layers: group per layer, `<layer>_W_1:0` and `<layer>_b_1:0`. */
function writeTinyVgg(file: string, layers: { name: string; cin: number; cout: number }[]): Map<string, Float32Array> {
  const f = new h5wasm.File(file, 'w');
  const kernels = new Map<string, Float32Array>();
  f.create_attribute('layer_names', layers.map((l) => l.name));
  for (const l of layers) {
    const g = f.create_group(l.name);
    const kernel = Float32Array.from({ length: 9 * l.cin * l.cout }, (_, i) => Math.sin(i) * 0.1);
    const bias = Float32Array.from({ length: l.cout }, (_, i) => i * 0.01);
    g.create_dataset({ name: `${l.name}_W_1:0`, data: kernel, shape: [3, 3, l.cin, l.cout], dtype: '<f' });
    g.create_dataset({ name: `${l.name}_b_1:0`, data: bias, shape: [l.cout], dtype: '<f' });
    g.create_attribute('weight_names', [`${l.name}_W_1:0`, `${l.name}_b_1:0`]);
    kernels.set(l.name, kernel);
  }
  f.close();
  return kernels;
}

test('reads the Keras VGG19 layout and runs the features', async () => {
  const file = path.join(dir, 'vgg.h5');
  const kernels = writeTinyVgg(file, [{ name: 'block1_conv1', cin: 3, cout: 64 }, { name: 'block1_conv2', cin: 64, cout: 64 }]);
  const weights = await readVgg19Weights(file, 'block1_conv2');
  assert.deepEqual(weights.map((w) => w.name), ['block1_conv1', 'block1_conv2']);
  assert.deepEqual(weights[1]!.kernel.shape, [3, 3, 64, 64]);
  assert.equal(weights[0]!.kernel.data[5], kernels.get('block1_conv1')![5]);
  assert.ok(Math.abs(weights[1]!.bias.data[3]! - 0.03) < 1e-7);
  await tf.setBackend('cpu');
  const net = await loadVgg19(file, 'block1_conv2');
  const y = net.features(tf.zeros([1, 8, 8, 3]));
  assert.deepEqual(y.shape, [1, 8, 8, 64]);
  assert.ok(Number.isFinite(tf.sum(y).dataSync()[0]!));
  net.dispose();
});

test('a corrupt file, a foreign HDF5 file and a missing file are one-line typed errors', async () => {
  const corrupt = path.join(dir, 'corrupt.h5');
  await writeFile(corrupt, Buffer.from('this is not hdf5 at all'.repeat(10)));
  await assert.rejects(readVgg19Weights(corrupt), (e: unknown) => e instanceof JapananimeError && e.code === 'E_INPUT_INVALID' && /not a readable HDF5/.test(e.message) && !e.message.includes('\n'));
  const foreign = path.join(dir, 'foreign.h5');
  const f = new h5wasm.File(foreign, 'w');
  f.create_group('something_else');
  f.close();
  await assert.rejects(readVgg19Weights(foreign), (e: unknown) => e instanceof JapananimeError && /no group 'block1_conv1'/.test(e.message));
  const wrong = path.join(dir, 'wrong.h5');
  writeTinyVgg(wrong, [{ name: 'block1_conv1', cin: 3, cout: 32 }]);
  await assert.rejects(readVgg19Weights(wrong, 'block1_conv1'), (e: unknown) => e instanceof JapananimeError && /\[3,3,3,64\] kernel/.test(e.message));
  await assert.rejects(readVgg19Weights(path.join(dir, 'nope.h5')), (e: unknown) => e instanceof JapananimeError && e.code === 'E_INPUT_MISSING');
});
