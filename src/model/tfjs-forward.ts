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
