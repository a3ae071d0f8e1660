/**
 * MobileNetV2 (ImageNet, 224 px, Keras 2.2.4) as a perceptual network that works offline: the npm
 * package nsfwjs@4.3.0 (MIT) embeds a fine-tuned MobileNetV2 whose layers up to block_10 were kept
 * frozen at their ImageNet values (weights Apache-2.0, from keras-applications), stored as uint8
 * (value = min + scale·q). We interpret its Keras topology up to one `*_expand_relu` layer with
 * plain tf ops. Input is in [-1, 1], what the frozen part expects.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../../errors.js';
import type { PerceptualNet } from './perceptual-types.js';

interface KerasLayer {
  name: string;
  class_name: string;
  config: {
    strides?: [number, number];
    padding?: string | [[number, number], [number, number]];
    epsilon?: number;
    max_value?: number | null;
    use_bias?: boolean;
  };
  inbound_nodes: [string, number, number, unknown][][];
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { min: number; scale: number; dtype: string };
}

interface NsfwModelModule {
  modelTopology: { model_config: { config: { layers: KerasLayer[] } } };
  weightsManifest: { weights: WeightSpec[] }[];
}

export const MOBILENETV2_DEFAULT_LAYER = 'block_6_expand_relu';
/** The layers that are frozen ImageNet weights in nsfwjs's model (the fine-tuned head starts later). */
const FROZEN_UP_TO = 'block_10_project_BN';

function loadNsfwModel(): { model: NsfwModelModule; weights: Buffer } {
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    // Only the package root is exported; the model files sit beside its dist/cjs entry.
    root = path.resolve(path.dirname(require.resolve('nsfwjs')), '..', '..');
  } catch (cause) {
    throw new BackendUnavailableError('the mobilenetv2 perceptual net needs the npm package nsfwjs@4.3.0 (npm install)', cause);
  }
  const dir = path.join(root, 'dist', 'models', 'mobilenet_v2');
  const model = require(path.join(dir, 'model.min.js')) as NsfwModelModule;
  const shard = require(path.join(dir, 'group1-shard1of1.min.js')) as string;
  return { model, weights: Buffer.from(shard, 'base64') };
}

/** Dequantises every weight of the manifest into float32 arrays. */
function readWeights(specs: WeightSpec[], bytes: Buffer): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  let offset = 0;
  for (const s of specs) {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const q = s.quantization;
    if (!q || q.dtype !== 'uint8') throw new Error(`nsfwjs weight ${s.name}: expected uint8 quantisation`);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = q.min + q.scale * (bytes[offset + i] as number);
    offset += size;
    out.set(s.name, { shape: s.shape, data });
  }
  if (offset !== bytes.length) throw new Error(`nsfwjs weights: read ${offset} bytes of ${bytes.length}`);
  return out;
}

type Op = (inputs: tf.Tensor4D[]) => tf.Tensor4D;

export function loadMobileNetV2(layer = MOBILENETV2_DEFAULT_LAYER): PerceptualNet {
  const { model, weights } = loadNsfwModel();
  const layers = model.modelTopology.model_config.config.layers;
  const target = layers.findIndex((l) => l.name === layer);
  const frozenEnd = layers.findIndex((l) => l.name === FROZEN_UP_TO);
  if (target < 0 || target > frozenEnd) {
    const choices = layers.slice(0, frozenEnd + 1).filter((l) => l.name.endsWith('_relu')).map((l) => l.name);
    throw new RangeError(`mobilenetv2 has no frozen layer '${layer}' (choose one of ${choices.join(', ')})`);
  }
  const all = readWeights(model.weightsManifest.flatMap((m) => m.weights), weights);
  const tensors: tf.Tensor[] = [];
  const constant = (name: string): tf.Tensor => {
    const w = all.get(name);
    if (!w) throw new Error(`nsfwjs weights lack ${name}`);
    const t = tf.tensor(w.data, w.shape, 'float32');
    tensors.push(t);
    return t;
  };
  // Build one closure per layer up to the target, in topological (file) order.
  const plan: { name: string; inputs: string[]; op: Op }[] = [];
  for (const l of layers.slice(0, target + 1)) {
    const inputs = (l.inbound_nodes[0] ?? []).map((n) => n[0]);
    const c = l.config;
    let op: Op;
    switch (l.class_name) {
      case 'InputLayer':
        continue;
      case 'ZeroPadding2D': {
        const p = c.padding as [[number, number], [number, number]];
        op = ([x]) => tf.pad(x!, [[0, 0], p[0], p[1], [0, 0]]);
        break;
      }
      case 'Conv2D': {
        const k = constant(`${l.name}/kernel`) as tf.Tensor4D;
        const b = c.use_bias ? constant(`${l.name}/bias`) : undefined;
        const s = c.strides ?? [1, 1];
        const pad = c.padding as 'same' | 'valid';
        op = ([x]) => (b ? tf.add(tf.conv2d(x!, k, s, pad), b) : tf.conv2d(x!, k, s, pad)) as tf.Tensor4D;
        break;
      }
      case 'DepthwiseConv2D': {
        const k = constant(`${l.name}/depthwise_kernel`) as tf.Tensor4D;
        const s = c.strides ?? [1, 1];
        const pad = c.padding as 'same' | 'valid';
        op = ([x]) => tf.depthwiseConv2d(x!, k, s, pad);
        break;
      }
      case 'BatchNormalization': {
        // Inference BN folded into one scale and shift per channel.
        const eps = c.epsilon ?? 1e-3;
        const gamma = all.get(`${l.name}/gamma`);
        const beta = all.get(`${l.name}/beta`);
        const mean = all.get(`${l.name}/moving_mean`);
        const variance = all.get(`${l.name}/moving_variance`);
        if (!gamma || !beta || !mean || !variance) throw new Error(`nsfwjs weights lack ${l.name}`);
        const scale = new Float32Array(gamma.data.length);
        const shift = new Float32Array(gamma.data.length);
        for (let i = 0; i < scale.length; i++) {
          scale[i] = gamma.data[i]! / Math.sqrt(variance.data[i]! + eps);
          shift[i] = beta.data[i]! - mean.data[i]! * scale[i]!;
        }
        const st = tf.tensor1d(scale);
        const sh = tf.tensor1d(shift);
        tensors.push(st, sh);
        op = ([x]) => tf.add(tf.mul(x!, st), sh);
        break;
      }
      case 'ReLU': {
        const max = c.max_value;
        op = ([x]) => (max === 6 ? tf.relu6(x!) : max == null ? tf.relu(x!) : tf.clipByValue(x!, 0, max));
        break;
      }
      case 'Add':
        op = ([a, b]) => tf.add(a!, b!);
        break;
      default:
        throw new Error(`mobilenetv2: unsupported layer ${l.class_name} (${l.name})`);
    }
    plan.push({ name: l.name, inputs, op });
  }
  const inputName = layers[0]!.name;
  let disposed = false;
  return {
    name: 'mobilenetv2',
    layer,
    provenance: {
      source: 'MobileNetV2 (ImageNet, 224) frozen layers embedded in the npm package nsfwjs@4.3.0',
      licence: 'code: MIT (nsfwjs); MobileNetV2 ImageNet weights: Apache-2.0 (keras-applications)',
    },
    features(x) {
      return tf.tidy(() => {
        const values = new Map<string, tf.Tensor4D>([[inputName, x]]);
        let last: tf.Tensor4D = x;
        for (const step of plan) {
          last = step.op(step.inputs.map((n) => {
            const v = values.get(n);
            if (!v) throw new Error(`mobilenetv2: ${step.name} needs ${n}`);
            return v;
          }));
          values.set(step.name, last);
        }
        return last;
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const t of tensors) t.dispose();
    },
  };
}
