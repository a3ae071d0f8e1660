/**
 * Adam on plain Float32Arrays, run on the main thread after the workers' gradients are averaged.
 * Done in JavaScript rather than with tf.train.adam so that the moments are ordinary data the
 * checkpoint holds and every worker count applies the very same update.
 */
import type { ParamSet } from '../model/params.js';

export interface AdamOptions {
  /** Learning rate. Default: 1e-4. */
  lr?: number;
  /** First-moment decay. Default: 0.5 (CartoonGAN's). */
  beta1?: number;
  /** Second-moment decay. Default: 0.999. */
  beta2?: number;
  /** Default: 1e-8. */
  epsilon?: number;
}

/** The optimiser state of one network: step count and the two moments per parameter. */
export interface AdamState {
  t: number;
  m: ParamSet;
  v: ParamSet;
}

export function createAdamState(params: ParamSet): AdamState {
  const zeros = (): ParamSet => new Map([...params].map(([name, p]) => [name, { shape: [...p.shape], data: new Float32Array(p.data.length) }]));
  return { t: 0, m: zeros(), v: zeros() };
}

/** Applies one Adam step in place to `params` (and `state`). Gradients missing for a parameter leave it unchanged. */
export function adamStep(params: ParamSet, grads: Map<string, Float32Array>, state: AdamState, options: AdamOptions = {}): void {
  const lr = options.lr ?? 1e-4;
  const b1 = options.beta1 ?? 0.5;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.epsilon ?? 1e-8;
  state.t += 1;
  const c1 = 1 - b1 ** state.t;
  const c2 = 1 - b2 ** state.t;
  const stepSize = (lr * Math.sqrt(c2)) / c1;
  const epsHat = eps * Math.sqrt(c2);
  for (const [name, p] of params) {
    const g = grads.get(name);
    if (!g) continue;
    const m = state.m.get(name)?.data;
    const v = state.v.get(name)?.data;
    if (!m || !v || g.length !== p.data.length) throw new RangeError(`adam: state or gradient of '${name}' does not match`);
    const w = p.data;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]!;
      const mi = b1 * m[i]! + (1 - b1) * gi;
      const vi = b2 * v[i]! + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] = w[i]! - (stepSize * mi) / (Math.sqrt(vi) + epsHat);
    }
  }
}
