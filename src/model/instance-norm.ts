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
