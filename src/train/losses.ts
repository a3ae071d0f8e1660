/**
 * The seed's losses (CartoonGAN with an AnimeGAN-style Gram loss), as tf ops whose gradients exist on
 * the wasm backend. Discriminator outputs are logits; BCE is computed with softplus, which is stable
 * for any logit (log σ(z) = -softplus(-z)).
 */
import * as tf from '@tensorflow/tfjs';

export interface LossWeights {
  /** Content loss (L1 between perceptual features of photo and G(photo)). Default: 10. */
  content: number;
  /** Style loss (L1 between Gram matrices of anime and G(photo) features). Default: 1. */
  style: number;
  /** Generator adversarial loss BCE(D(G(photo)), 1). Default: 1. */
  adversarial: number;
  /** Weight of BCE(D(smoothed anime), 0) in the discriminator loss. Default: 1. */
  edge: number;
  /**
   * Structure loss: L1 in pixels between G(photo) and the photo's cel-shaded target (cel-target.ts).
   * Default: 0 (off), so runs made before it existed resume unchanged; the CLI's recipe turns it on.
   */
  structure: number;
  /**
   * Gradient loss: L1 between the horizontal and vertical pixel differences of G(photo) and of the
   * structure target (used only with a structure target). Blind to a colour offset, so it asks
   * directly for what the pixel L1 only gets to once the colours match: no texture inside regions
   * (the target's differences are zero there) and the target's sharp borders and outlines. Without it
   * a 600-step run matched the target's colours and kept every texture. Default: 0 (off).
   */
  gradient: number;
}

export const DEFAULT_LOSS_WEIGHTS: LossWeights = { content: 10, style: 1, adversarial: 1, edge: 1, structure: 0, gradient: 0 };

/** Mean absolute difference. */
export function l1(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.abs(tf.sub(a, b)));
}

/** Gram matrices [N, C, C] of NHWC features, normalised by H·W·C. */
export function gram(features: tf.Tensor4D): tf.Tensor3D {
  const [n, h, w, c] = features.shape;
  const flat = tf.reshape(features, [n, h * w, c]) as tf.Tensor3D;
  return tf.div(tf.matMul(flat, flat, true, false), h * w * c);
}

/** Mean binary cross-entropy of logits against a constant label 1 or 0. */
export function bceWithLogits(logits: tf.Tensor, label: 0 | 1): tf.Scalar {
  return tf.mean(tf.softplus(label === 1 ? tf.neg(logits) : logits));
}

/** Content loss: L1 between the perceptual features of the photo and of the generated image. */
export function contentLoss(photoFeatures: tf.Tensor4D, generatedFeatures: tf.Tensor4D): tf.Scalar {
  return l1(photoFeatures, generatedFeatures);
}

/** Structure loss: L1 in pixels between the generated image and its cel-shaded target. */
export function structureLoss(celTarget: tf.Tensor4D, generated: tf.Tensor4D): tf.Scalar {
  return l1(celTarget, generated);
}

/** Horizontal and vertical differences of NHWC images. */
function differences(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  const [n, h, w, c] = x.shape;
  const dx = tf.sub(tf.slice(x, [0, 0, 1, 0], [n, h, w - 1, c]), tf.slice(x, [0, 0, 0, 0], [n, h, w - 1, c])) as tf.Tensor4D;
  const dy = tf.sub(tf.slice(x, [0, 1, 0, 0], [n, h - 1, w, c]), tf.slice(x, [0, 0, 0, 0], [n, h - 1, w, c])) as tf.Tensor4D;
  return [dx, dy];
}

/** Gradient loss: L1 between the pixel differences of the target and of the generated image (x and y, summed). */
export function gradientLoss(target: tf.Tensor4D, generated: tf.Tensor4D): tf.Scalar {
  const [tx, ty] = differences(target);
  const [gx, gy] = differences(generated);
  return tf.add(l1(tx, gx), l1(ty, gy));
}

/** Style loss: L1 between Gram matrices of anime and generated features (per sample, then mean). */
export function styleLoss(animeFeatures: tf.Tensor4D, generatedFeatures: tf.Tensor4D): tf.Scalar {
  return l1(gram(animeFeatures), gram(generatedFeatures));
}

/** D loss: BCE(D(anime),1) + BCE(D(G(photo)),0) + edge·BCE(D(smoothed anime),0). */
export function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor, smoothLogits: tf.Tensor, edgeWeight = 1): { total: tf.Scalar; real: tf.Scalar; fake: tf.Scalar; smooth: tf.Scalar } {
  const real = bceWithLogits(realLogits, 1);
  const fake = bceWithLogits(fakeLogits, 0);
  const smooth = bceWithLogits(smoothLogits, 0);
  return { total: tf.addN([real, fake, tf.mul(smooth, edgeWeight)]) as tf.Scalar, real, fake, smooth };
}
