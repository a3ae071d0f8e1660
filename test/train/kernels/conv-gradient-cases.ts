/**
 * What the wasm and webgpu training-kernel tests share: the shape of a convolution case, the
 * deterministic inputs they are fed with, and the comparison with the reference backend.
 */
import assert from 'node:assert/strict';

/** One convolution: batch n of h×w×ci inputs, a k×k filter to co channels, stride s. */
export interface ConvCase { n: number; h: number; w: number; ci: number; co: number; k: number; s: number; pad: 'same' | 'valid' }

/** Deterministic values in [-0.5, 0.5) from a fixed LCG, so both backends see the same numbers. */
export function rand(shape: number[], seed: number): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let st = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    st = (Math.imul(st, 1664525) + 1013904223) >>> 0;
    out[i] = st / 2 ** 32 - 0.5;
  }
  return out;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
