/**
 * The tfjs forward pass, generated from an ArchitectureSpec. Only ops that the wasm backend has
 * kernels for (and whose gradients are built from such kernels): conv2d, conv2dTranspose, moments,
 * leakyRelu, add, mul, div, avgPool. The trainer calls tf.grads through `forward`.
 *
 * `stylizeImagesTf` mirrors the pre/post-processing inside the exported ONNX graph step for step
 * (scale, edge-pad to a multiple of 4, network, crop, [0,255], clip, round), so the two engines give
 * the same bytes.
 */
import * as tf from '@tensorflow/tfjs';
import { instanceNormTf, kerasContribNormTf } from './instance-norm.js';
import type { ParamSet } from './params.js';
import type { ArchitectureSpec, Layer } from './spec.js';

/** Parameters as tfjs tensors (or variables), keyed by the ParamSet names. */
export type TfVars = Record<string, tf.Tensor>;

function need(vars: TfVars, name: string): tf.Tensor {
  const v = vars[name];
  if (!v) throw new RangeError(`forward: missing parameter '${name}'`);
  return v;
}

/** Box mean over a (2r+1)² window of the pixels inside the image (TF 'same' average pooling excludes the padding). */
function boxMean(x: tf.Tensor4D, radius: number): tf.Tensor4D {
  return tf.avgPool(x, 2 * radius + 1, 1, 'same');
}

/** He et al.'s guided filter of p with guide I (per channel), as in White-box Cartoonization. */
export function guidedFilterTf(guide: tf.Tensor4D, p: tf.Tensor4D, radius: number, eps: number): tf.Tensor4D {
  const meanI = boxMean(guide, radius);
  const meanP = boxMean(p, radius);
  const covIP = tf.sub(boxMean(tf.mul(guide, p), radius), tf.mul(meanI, meanP));
  const varI = tf.sub(boxMean(tf.mul(guide, guide), radius), tf.mul(meanI, meanI));
  const a = tf.div(covIP, tf.add(varI, eps)) as tf.Tensor4D;
  const b = tf.sub(meanP, tf.mul(a, meanI)) as tf.Tensor4D;
  return tf.add(tf.mul(boxMean(a, radius), guide), boxMean(b, radius));
}

/**
 * Nearest-neighbour upsampling by an integer factor, as a broadcast multiply on a reshaped tensor:
 * its gradient (a sum over each block) exists on every backend, the wasm one included, which has no
 * ResizeNearestNeighborGrad kernel of its own.
 */
export function upsampleNearestTf(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const blocks = tf.mul(tf.reshape(x, [n, h, 1, w, 1, c]), tf.ones([1, 1, factor, 1, factor, 1]));
  return tf.reshape(blocks, [n, h * factor, w * factor, c]);
}

/**
 * The smooth Kuwahara filter of KuwaharaLayer. Windows are averaged over the pixels inside the image
 * (zero padding, divided by the count of real pixels), as ONNX AveragePool with count_include_pad 0.
 */
export function kuwaharaTf(x: tf.Tensor4D, radius: number, temperature: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const r = radius;
  const k = r + 1;
  const pads: [number, number][] = [[0, 0], [r, r], [r, r], [0, 0]];
  const count = tf.avgPool(tf.pad(tf.ones([1, h, w, 1]), pads) as tf.Tensor4D, k, 1, 'valid');
  const padded = tf.pad(x, pads) as tf.Tensor4D;
  const mean = tf.div(tf.avgPool(padded, k, 1, 'valid'), count) as tf.Tensor4D;
  const meanSq = tf.div(tf.avgPool(tf.square(padded), k, 1, 'valid'), count) as tf.Tensor4D;
  const variance = tf.sum(tf.sub(meanSq, tf.square(mean)), 3, true) as tf.Tensor4D;
  // Quadrant (dy, dx) of pixel (i, j) is the window starting at (i - r + dy, j - r + dx) in the image,
  // i.e. at (i + dy, j + dx) in the pooled map.
  const offsets = [[0, 0], [0, r], [r, 0], [r, r]] as const;
  const means = offsets.map(([dy, dx]) => tf.slice(mean, [0, dy, dx, 0], [n, h, w, c]));
  const logits = tf.concat(offsets.map(([dy, dx]) => tf.div(tf.neg(tf.slice(variance, [0, dy, dx, 0], [n, h, w, 1])), temperature)), 3);
  const weights = tf.softmax(logits);
  return tf.addN(means.map((m, q) => tf.mul(m, tf.slice(weights, [0, 0, 0, q], [n, h, w, 1])))) as tf.Tensor4D;
}

/**
 * The normalised 1-D Gaussian of radius ceil(2σ) whose outer product with itself is inkKernel. The
 * ONNX ink blurs with it twice (columns, then rows); the tfjs ink uses the 2-D kernel.
 */
export function inkKernel1d(sigma: number): { size: number; values: Float32Array } {
  const r = Math.ceil(2 * sigma);
  const size = 2 * r + 1;
  const values = new Float32Array(size);
  let sum = 0;
  for (let x = -r; x <= r; x++) sum += values[x + r] = Math.exp(-(x * x) / (2 * sigma * sigma));
  for (let i = 0; i < size; i++) values[i]! /= sum;
  return { size, values };
}

/** A normalised Gaussian kernel [k, k, 1, 1] of radius ceil(2σ): the outer product of inkKernel1d with itself. */
export function inkKernel(sigma: number): { size: number; values: Float32Array } {
  const { size, values: g1 } = inkKernel1d(sigma);
  const values = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) values[y * size + x] = g1[y]! * g1[x]!;
  return { size, values };
}

/** Rec. 601 luma weights, the lightness the ink's DoG is taken on. */
export const INK_LUMA: readonly [number, number, number] = [0.299, 0.587, 0.114];

/** The ink layer (InkLayer): dark outlines where the lightness has a DoG edge. */
export function inkTf(x: tf.Tensor4D, layer: { sigma1: number; sigma2: number; eps: number; phi: number; strength: number }): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const luma = tf.sum(tf.mul(x, tf.tensor1d([...INK_LUMA])), 3, true) as tf.Tensor4D;
  const ones = tf.ones([n, h, w, 1]) as tf.Tensor4D;
  const blur = (sigma: number): tf.Tensor4D => {
    const k = inkKernel(sigma);
    const kernel = tf.tensor4d(k.values, [k.size, k.size, 1, 1]);
    return tf.div(tf.conv2d(luma, kernel, 1, 'same'), tf.conv2d(ones, kernel, 1, 'same'));
  };
  const dog = tf.sub(blur(layer.sigma1), blur(layer.sigma2));
  const line = tf.clipByValue(tf.mul(tf.sub(tf.neg(dog), layer.eps), layer.phi), 0, 1);
  return tf.sub(tf.mul(tf.add(x, 1), tf.sub(1, tf.mul(line, layer.strength))), 1) as tf.Tensor4D;
}

function runLayers(layers: Layer[], vars: TfVars, input: tf.Tensor4D, guide: tf.Tensor4D): tf.Tensor4D {
  let x = input;
  for (const layer of layers) {
    switch (layer.op) {
      case 'conv': {
        const y = tf.conv2d(x, need(vars, `${layer.name}/kernel`) as tf.Tensor4D, layer.stride, 'same');
        x = tf.add(y, need(vars, `${layer.name}/bias`));
        break;
      }
      case 'convTranspose': {
        const [n, h, w] = x.shape;
        const outShape: [number, number, number, number] = [n, h * layer.stride, w * layer.stride, layer.cout];
        const y = tf.conv2dTranspose(x, need(vars, `${layer.name}/kernel`) as tf.Tensor4D, outShape, layer.stride, 'same');
        x = tf.add(y, need(vars, `${layer.name}/bias`));
        break;
      }
      case 'instanceNorm':
        x = layer.kerasContrib
          ? kerasContribNormTf(x, need(vars, `${layer.name}/scale`), need(vars, `${layer.name}/bias`), layer.kerasContrib.epsilon)
          : instanceNormTf(x, need(vars, `${layer.name}/scale`), need(vars, `${layer.name}/bias`));
        break;
      case 'leakyRelu':
        x = tf.leakyRelu(x, layer.alpha);
        break;
      case 'residual':
        x = tf.add(x, runLayers(layer.body, vars, x, guide));
        break;
      case 'guidedFilter':
        x = guidedFilterTf(guide, x, layer.radius, layer.eps);
        break;
      case 'upsample':
        x = upsampleNearestTf(x, layer.factor);
        break;
      case 'kuwahara':
        x = kuwaharaTf(x, layer.radius, layer.temperature);
        break;
      case 'ink':
        x = inkTf(x, layer);
        break;
    }
  }
  return x;
}

/**
 * The network on x (NHWC float32, values in spec.inputRange). Generators return NHWC with 3 linear
 * channels (~[-1,1]); the discriminator returns patch logits [N, H/4, W/4, 1]. H and W should be
 * multiples of spec.sizeMultiple (the trainer's crops are). Not wrapped in tidy: call it inside
 * tf.tidy / tf.grads.
 */
export function forward(spec: ArchitectureSpec, vars: TfVars, x: tf.Tensor4D): tf.Tensor4D {
  return runLayers(spec.layers, vars, x, x);
}

/** tf tensors holding a copy of the parameters. */
export function paramsToTensors(params: ParamSet): TfVars {
  const out: TfVars = {};
  for (const [name, p] of params) out[name] = tf.tensor(p.data, p.shape, 'float32');
  return out;
}

/** tf.Variables holding a copy of the parameters (for training), named after the parameters. */
export function paramsToVariables(params: ParamSet, trainable = true, prefix = ''): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  for (const [name, p] of params) out[name] = tf.variable(tf.tensor(p.data, p.shape, 'float32'), trainable, `${prefix}${name}`);
  return out;
}

/** Reads tensors back into a ParamSet (in the order of `order` if given, else the object's). */
export function tensorsToParams(vars: TfVars, order?: Iterable<string>): ParamSet {
  const out: ParamSet = new Map();
  for (const name of order ?? Object.keys(vars)) {
    const t = need(vars, name);
    out.set(name, { shape: [...t.shape], data: new Float32Array(t.dataSync() as Float32Array) });
  }
  return out;
}

/** Pads H and W at the end up to a multiple of `m` by repeating the last row/column (ONNX Pad 'edge'). */
export function padEdgeToMultiple(x: tf.Tensor4D, m: number): tf.Tensor4D {
  return tf.tidy(() => {
    let y = x;
    const [, h, w] = x.shape;
    const padH = (m - (h % m)) % m;
    const padW = (m - (w % m)) % m;
    if (padH > 0) {
      const last = tf.slice(y, [0, h - 1, 0, 0], [-1, 1, -1, -1]);
      y = tf.concat([y, tf.tile(last, [1, padH, 1, 1])], 1);
    }
    if (padW > 0) {
      const last = tf.slice(y, [0, 0, w - 1, 0], [-1, -1, 1, -1]);
      y = tf.concat([y, tf.tile(last, [1, 1, padW, 1])], 2);
    }
    return y;
  });
}

/** Scale of the uint8 → [-1,1] mapping, as a float32 constant shared with the ONNX graph. */
export const PIXEL_SCALE = 1 / 127.5;

/**
 * uint8-valued NHWC images (int32 or float tensor with values 0..255) → stylised int32 NHWC images of
 * the same size with values 0..255. Exactly the computation of the exported ONNX graph.
 */
export function stylizeImagesTf(spec: ArchitectureSpec, vars: TfVars, images: tf.Tensor4D): tf.Tensor4D {
  if (spec.role !== 'generator') throw new RangeError(`${spec.name} is not a generator`);
  return tf.tidy(() => {
    const [, h, w] = images.shape;
    const x = tf.sub(tf.mul(tf.cast(images, 'float32'), PIXEL_SCALE), 1) as tf.Tensor4D;
    const y = forward(spec, vars, padEdgeToMultiple(x, spec.sizeMultiple));
    const cropped = tf.slice(y, [0, 0, 0, 0], [-1, h, w, -1]);
    const pixels = tf.round(tf.clipByValue(tf.mul(tf.add(cropped, 1), 127.5), 0, 255));
    return tf.cast(pixels, 'int32') as tf.Tensor4D;
  });
}
