/**
 * The contract every frozen feature extractor meets. A leaf module: the nets (mobilenetv2.ts,
 * vgg19.ts) implement it and perceptual-net.ts loads them, without importing each other in a circle.
 */
import type * as tf from '@tensorflow/tfjs';

export type PerceptualName = 'mobilenetv2' | 'vgg19';

export interface PerceptualNet {
  readonly name: PerceptualName;
  /** The layer whose activations are the features, e.g. "block_6_expand_relu". */
  readonly layer: string;
  /** Where the weights come from and under which licence, for the training record. */
  readonly provenance: { source: string; licence: string };
  /** Features of images in [-1, 1], NHWC. */
  features(x: tf.Tensor4D): tf.Tensor4D;
  /** Frees the weight tensors. Idempotent. */
  dispose(): void;
}
