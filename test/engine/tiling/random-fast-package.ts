/**
 * Random-weight model packages for tests that need the real ONNX Runtime engine. The tiling tests use
 * `fast` with instance norms put back (as it was until 2026-12-05, and as community models such as
 * AnimeGAN have them): random weights still have every norm, so tiles disagree in tone exactly as
 * with trained weights.
 */
import { createModelPackage, type ModelPackage } from '../../../src/model/model-package.js';
import { initParams } from '../../../src/model/params.js';
import { getArchitecture, type ArchitectureSpec, type Layer } from '../../../src/model/spec.js';

/**
 * `fast` with an instance norm after each conv of its 1/4-resolution context path (the 1×1 reduces
 * excepted): the normalised `fast` of 2026-12-05, whose first norm (down1) has 64 channels.
 */
export function normalisedFastSpec(): ArchitectureSpec {
  const spec = getArchitecture('fast');
  const addNorms = (layers: Layer[], inContext: boolean): Layer[] =>
    layers.flatMap((l): Layer[] => {
      if (l.op === 'residual') return [{ ...l, body: addNorms(l.body, inContext || l.name === 'full_res_skip') }];
      if (inContext && l.op === 'conv' && l.name !== 'conv_out' && !l.name.endsWith('/reduce') && l.name !== 'conv_in') return [l, { op: 'instanceNorm', name: `${l.name}_norm`, channels: l.cout }];
      return [l];
    });
  return { ...spec, layers: addNorms(spec.layers, false) };
}

/**
 * The normalised `fast` generator (normalisedFastSpec; today's norm-free one with `normalised`
 * false) with its channel counts divided by `divisor` and only `resBlocks` residual
 * blocks: the same layer kinds (and instance norms at every scale) at a fraction of the cost, so a
 * 3000×2000 image runs in a test's time on a shared CPU.
 */
export function slimFastSpec(divisor = 4, resBlocks = 1, normalised = true): ArchitectureSpec {
  const spec = normalised ? normalisedFastSpec() : getArchitecture('fast');
  const ch = (c: number): number => (c === 3 ? 3 : Math.max(4, c / divisor));
  const map = (layers: Layer[]): Layer[] =>
    layers.flatMap((l): Layer[] => {
      switch (l.op) {
        case 'conv':
        case 'convTranspose':
          return [{ ...l, cin: ch(l.cin), cout: ch(l.cout) }];
        case 'instanceNorm':
          return [{ ...l, channels: ch(l.channels) }];
        case 'residual': {
          const n = Number(/res(\d+)/.exec(l.name)?.[1] ?? 1);
          return n > resBlocks ? [] : [{ ...l, body: map(l.body) }];
        }
        default:
          return [l];
      }
    });
  return { ...spec, layers: map(spec.layers) };
}

/**
 * An in-memory package of random weights (deterministic in `seed`). He-initialised, the last
 * convolution's output has a std of several units where the image range is [-1, 1], so nearly every
 * output pixel is clipped to 0 or 255: binary noise, unlike any trained model, that drowns every
 * measurement. `outputGain` scales the last kernel so the output stays mostly inside the range.
 */
export function randomPackage(spec: ArchitectureSpec = getArchitecture('fast'), seed = 7, outputGain = 0.15): ModelPackage {
  const params = initParams(spec, seed);
  const last = params.get('conv_out/kernel');
  if (last) for (let i = 0; i < last.data.length; i += 1) last.data[i] = last.data[i]! * outputGain;
  return createModelPackage({ spec, params, meta: { description: 'random weights for tests' } });
}
