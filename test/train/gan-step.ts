/** Test helpers: one GAN step's inputs from a seed, and a scale-aware comparison of two gradient sets. */
import { initParams } from '../../src/model/params.js';
import { getArchitecture } from '../../src/model/spec.js';
import type { TrainBackend } from '../../src/train/gradient-engine.js';
import { Rng } from '../../src/train/rng.js';
import { scaleDownFastHeads } from '../pipeline/random-model.js';

function images(n: number, size: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n * size * size * 3 }, () => rng.next() * 2 - 1);
}

/**
 * Worst per-parameter difference relative to that parameter's gradient scale. The scale has a floor
 * of 1e-2 of the network's largest gradient: the biases of convs followed by instance norm have a
 * true gradient of zero, and their float noise differs with the batch split.
 */
export function maxRelDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let worst = 0;
  let worstName = '';
  let global = 0;
  for (const x of a.values()) for (const v of x) global = Math.max(global, Math.abs(v));
  for (const [name, x] of a) {
    const y = b.get(name)!;
    let scale = 1e-2 * global;
    for (const v of x) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < x.length; i++) {
      const r = Math.abs(x[i]! - y[i]!) / scale;
      if (r > worst) [worst, worstName] = [r, name];
    }
  }
  if (process.env['DEBUG_GRADS']) console.log('worst', worstName, worst);
  return worst;
}

/** A GAN step of three random 16×16 images (on `backend`), with the engine settings and random G and D from `seed`. */
export function ganStep(seed: number, backend: TrainBackend = 'wasm') {
  const init = { generator: 'fast', discriminator: 'patchgan', perceptual: { name: 'mobilenetv2' }, backend } as const;
  const g = initParams(getArchitecture('fast'), seed);
  // Random weights without normalisation grow through the residual blocks; scaled down, the last
  // convs give images of a trained generator's range, so D sees pixel values, not hundreds of units
  // whose float32 rounding alone made the two backends' D gradients differ by 4%.
  scaleDownFastHeads(g);
  const d = initParams(getArchitecture('patchgan'), seed + 1);
  const rng = new Rng(seed + 2);
  const n = 3;
  const size = 16;
  const batch = { phase: 'gan' as const, n, size, photos: images(n, size, rng), anime: images(n, size, rng), smooth: images(n, size, rng) };
  return { init, g, d, batch };
}
