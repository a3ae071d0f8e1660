import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerTrainingKernels } from '../../../src/train/kernels/register-training-kernels.js';
import { loadMobileNetV2 } from '../../../src/train/perceptual/mobilenetv2.js';

/** nsfwjs's own model, loaded by tfjs-layers from the same embedded files: the reference. */
async function referenceModel(layer: string): Promise<tf.LayersModel> {
  const require = createRequire(import.meta.url);
  const dir = path.resolve(path.dirname(require.resolve('nsfwjs')), '..', 'models', 'mobilenet_v2');
  const model = require(path.join(dir, 'model.min.js')) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const shard = require(path.join(dir, 'group1-shard1of1.min.js')) as string;
  const bytes = Buffer.from(shard, 'base64');
  // The stored input is fixed at 224²; make it any size so the test can stay small.
  // Truncated at `layer` so the classifier head (which needs 224²) is not built.
  const topology = JSON.parse(JSON.stringify(model.modelTopology)) as { model_config: { config: { layers: { name: string; config: { batch_input_shape?: unknown } }[]; output_layers: unknown } } };
  const config = topology.model_config.config;
  config.layers = config.layers.slice(0, config.layers.findIndex((l) => l.name === layer) + 1);
  config.layers[0]!.config.batch_input_shape = [null, null, null, 3];
  config.output_layers = [[layer, 0, 0]];
  const full = await tf.loadLayersModel({
    load: async () => ({
      modelTopology: topology,
      weightSpecs: model.weightsManifest[0]!.weights,
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    }),
  }, { strict: false });
  return full;
}

test('mobilenetv2 features equal the tfjs-layers model of the same nsfwjs files, and gradients flow on wasm', async () => {
  await tf.setBackend('wasm');
  registerTrainingKernels();
  const net = loadMobileNetV2('block_6_expand_relu');
  const ref = await referenceModel('block_6_expand_relu');
  const x = tf.randomUniform([2, 64, 64, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
  const ours = net.features(x);
  const theirs = ref.predict(x) as tf.Tensor4D;
  assert.deepEqual(ours.shape, [2, 8, 8, 192]);
  assert.deepEqual(ours.shape, theirs.shape);
  const diff = tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]!;
  const scale = tf.max(tf.abs(theirs)).dataSync()[0]!;
  assert.ok(scale > 0.1, `features are not trivial (${scale})`);
  assert.ok(diff < 1e-3 * Math.max(1, scale), `max diff ${diff}`);
  // The generator's gradient must pass through the frozen net (depthwise input gradient on wasm).
  const g = tf.grad((a: tf.Tensor) => tf.mean(net.features(a as tf.Tensor4D)))(x);
  const gAbs = tf.sum(tf.abs(g)).dataSync()[0]!;
  assert.ok(Number.isFinite(gAbs) && gAbs > 0, `gradient ${gAbs}`);
  net.dispose();
  net.dispose();
});
