/**
 * Instance normalisation, defined once for both targets: per sample and channel, normalise over H
 * and W with the population variance, then scale and shift. tfjs has no such layer, so it is built
 * from tf.moments (differentiable on every backend); ONNX has InstanceNormalization with the same
 * definition.
 */
import * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from './onnx-graph.js';

/** Added to the variance before the square root (as PyTorch/ONNX default). */
export const INSTANCE_NORM_EPSILON = 1e-5;

/** tfjs, NHWC: (x - mean_hw) / sqrt(var_hw + eps) * scale + bias. */
export function instanceNormTf(x: tf.Tensor4D, scale: tf.Tensor, bias: tf.Tensor, epsilon = INSTANCE_NORM_EPSILON): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2], true);
    const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(normalized, scale), bias) as tf.Tensor4D;
  });
}

/** ONNX, NCHW: one InstanceNormalization node; scale and bias are initializer names. */
export function instanceNormOnnx(g: OnnxGraphBuilder, x: string, scale: string, bias: string, epsilon = INSTANCE_NORM_EPSILON): string {
  return g.node('InstanceNormalization', [x, scale, bias], { epsilon: { float: epsilon } });
}

/**
 * keras-contrib's InstanceNormalization() with axis=None (the seed's norm): per sample over H, W and
 * C, (x - mean) / (std + epsilon) · scale + bias with scalar scale and bias. tfjs, NHWC.
 */
export function kerasContribNormTf(x: tf.Tensor4D, scale: tf.Tensor, bias: tf.Tensor, epsilon: number): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2, 3], true);
    const normalized = tf.div(tf.sub(x, mean), tf.add(tf.sqrt(variance), epsilon));
    return tf.add(tf.mul(normalized, scale), bias) as tf.Tensor4D;
  });
}

/** The same in ONNX (NCHW; opset 17, whose ReduceMean takes its axes as an attribute). */
export function kerasContribNormOnnx(g: OnnxGraphBuilder, x: string, scale: string, bias: string, epsilon: number): string {
  const reduce = (v: string): string => g.node('ReduceMean', [v], { axes: [1, 2, 3], keepdims: 1 });
  const centred = g.node('Sub', [x, reduce(x)]);
  const std = g.node('Sqrt', [reduce(g.node('Mul', [centred, centred]))]);
  const normalized = g.node('Div', [centred, g.node('Add', [std, g.floatScalar('keras_norm_eps', epsilon)])]);
  return g.node('Add', [g.node('Mul', [normalized, scale]), bias]);
}
