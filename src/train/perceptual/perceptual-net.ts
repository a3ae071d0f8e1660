/**
 * A frozen feature extractor for the content and style losses. Its weights are constants (never
 * variables), so tfjs only takes the gradient with respect to its input.
 */
import type { PerceptualName, PerceptualNet } from './perceptual-types.js';

export type { PerceptualName, PerceptualNet } from './perceptual-types.js';
export const PERCEPTUAL_NAMES: readonly PerceptualName[] = ['mobilenetv2', 'vgg19'];

/** What a worker needs to rebuild the same net (plain data, sent over postMessage). */
export interface PerceptualConfig {
  name: PerceptualName;
  /** Feature layer; default per net (mobilenetv2: block_6_expand_relu, vgg19: block4_conv4). */
  layer?: string;
  /** vgg19 only: the Keras h5 file (vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5). */
  weightsPath?: string;
}

export async function loadPerceptualNet(config: PerceptualConfig): Promise<PerceptualNet> {
  if (config.name === 'mobilenetv2') {
    const { loadMobileNetV2 } = await import('./mobilenetv2.js');
    return loadMobileNetV2(config.layer);
  }
  const { loadVgg19 } = await import('./vgg19.js');
  return loadVgg19(config.weightsPath, config.layer);
}

/** The provenance and licence of a perceptual net, for run.json and the exported meta (no loading). */
export function describePerceptual(config: PerceptualConfig): { name: PerceptualName; layer: string; source: string; licence: string } {
  if (config.name === 'mobilenetv2') {
    return {
      name: 'mobilenetv2',
      layer: config.layer ?? 'block_6_expand_relu',
      source: 'MobileNetV2 (ImageNet, 224) frozen layers embedded in the npm package nsfwjs@4.3.0',
      licence: 'code: MIT (nsfwjs); MobileNetV2 ImageNet weights: Apache-2.0 (keras-applications)',
    };
  }
  return {
    name: 'vgg19',
    layer: config.layer ?? 'block4_conv4',
    source: `Keras VGG19 ImageNet weights (${config.weightsPath ?? 'not given'})`,
    licence: 'VGG19 weights: CC BY 4.0 (Oxford VGG); Keras weight file: MIT',
  };
}
