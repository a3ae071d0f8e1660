/**
 * Image features for the style distance (KID): MobileNetV2's ImageNet layers (the frozen part of the
 * copy nsfwjs ships, already the project's perceptual net), pooled over the image into one vector.
 * Pooling keeps what kind of local patterns an image is made of and forgets where they are, which is
 * what "looks like the same kind of picture" needs; mean and standard deviation of each channel are
 * kept (the std is the feature's contrast, a first-order stand-in for the Gram statistics of style).
 */
import * as tf from '@tensorflow/tfjs';
import { initTfjs } from '../engine/tfjs-backend.js';
import type { Frame } from '../frame.js';
import { loadMobileNetV2 } from '../train/perceptual/mobilenetv2.js';
import type { PerceptualNet } from '../train/perceptual/perceptual-net.js';

/** The feature layer: block 10 is the deepest frozen ImageNet layer (stride 16, 384 channels). */
export const STYLE_FEATURE_LAYER = 'block_10_expand_relu';

export interface StyleFeatureOptions {
  /** MobileNetV2 layer pooled into the features. Default: STYLE_FEATURE_LAYER. */
  layer?: string;
}

export class StyleFeatureExtractor {
  private constructor(private readonly net: PerceptualNet) {}

  /** Starts tfjs (wasm) and loads the net. */
  static async create(options: StyleFeatureOptions = {}): Promise<StyleFeatureExtractor> {
    await initTfjs('wasm');
    return new StyleFeatureExtractor(loadMobileNetV2(options.layer ?? STYLE_FEATURE_LAYER));
  }

  get layer(): string {
    return this.net.layer;
  }

  /** One vector per frame: per-channel mean then per-channel standard deviation of the layer. */
  features(frame: Pick<Frame, 'data' | 'width' | 'height'>): Float32Array {
    const pooled = tf.tidy(() => {
      const x = tf.tensor4d(frame.data, [1, frame.height, frame.width, 3], 'int32').toFloat().div(127.5).sub(1) as tf.Tensor4D;
      const f = this.net.features(x);
      const { mean, variance } = tf.moments(f, [0, 1, 2]);
      return tf.concat([mean, tf.sqrt(variance)]);
    });
    const out = Float32Array.from(pooled.dataSync());
    pooled.dispose();
    return out;
  }

  close(): void {
    this.net.dispose();
  }
}
