import assert from 'node:assert/strict';
import { test } from 'node:test';
import { celTarget, celTargets } from '../../src/train/cel-target.js';
import { mulberry32 } from '../../src/seeded-random.js';

/**
 * A size×size image in [-1, 1]: left half dark grey, right half light grey, plus uniform noise of ±noise.
 * The greys sit at the centres of luminance bands 2 and 5 (of 8); at a band boundary the soft
 * quantisation is a step by design and would amplify the noise instead.
 */
function twoRegions(size: number, noise: number, seed = 1): Float32Array {
  const rand = mulberry32(seed);
  const img = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const base = x < size / 2 ? -0.375 : 0.375;
      const n = (rand() * 2 - 1) * noise;
      for (let c = 0; c < 3; c++) img[(y * size + x) * 3 + c] = base + n;
    }
  }
  return img;
}

/** Standard deviation of channel 0 over the rectangle [x0, x1) × [0, size). */
function regionStd(img: Float32Array, size: number, x0: number, x1: number): number {
  const values: number[] = [];
  for (let y = 0; y < size; y++) for (let x = x0; x < x1; x++) values.push(img[(y * size + x) * 3]!);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

test('celTarget flattens texture inside regions while the border between them stays a sharp step', () => {
  const size = 32;
  const input = twoRegions(size, 0.08);
  const out = celTarget(input, size, size);
  // Inside each region (away from the border and the image edge): much less variation than the input.
  const inStd = regionStd(input, size, 2, 12);
  const outStd = regionStd(out, size, 2, 12);
  assert.ok(outStd < inStd * 0.35, `dark region std ${outStd.toFixed(4)} should be well below the input's ${inStd.toFixed(4)}`);
  assert.ok(regionStd(out, size, 20, 30) < regionStd(input, size, 20, 30) * 0.35);
  // The border is still a step of about the input's contrast (a blur would spread it over many pixels).
  const row = 16;
  const at = (x: number): number => out[(row * size + x) * 3]!;
  assert.ok(at(20) - at(11) > 0.65, `contrast across the border ${(at(20) - at(11)).toFixed(3)} should stay near 0.75`);
  // All values stay in the trainer's range.
  for (const v of out) assert.ok(v >= -1 && v <= 1);
});

test('celTarget draws a dark outline on the dark side of an edge, and none without one', () => {
  const size = 32;
  const clean = twoRegions(size, 0);
  const lined = celTarget(clean, size, size);
  const unlined = celTarget(clean, size, size, { lineStrength: 0 });
  const px = (img: Float32Array, x: number): number => img[(16 * size + x) * 3]!;
  // Just left of the border (dark side) the outline darkens the image; far from it nothing changes.
  assert.ok(px(lined, 15) < px(unlined, 15) - 0.05, `outline ${px(lined, 15)} vs ${px(unlined, 15)}`);
  assert.equal(px(lined, 4), px(unlined, 4));
  // A uniform image has no edges: no outline at all, one flat colour.
  const flat = celTarget(new Float32Array(size * size * 3).fill(0.2), size, size);
  assert.ok(flat.every((v) => Math.abs(v - flat[0]!) < 1e-6));
});

test('celTargets processes every image of a batch like celTarget alone', () => {
  const size = 16;
  const a = twoRegions(size, 0.1, 1);
  const b = twoRegions(size, 0.1, 2);
  const batch = new Float32Array(a.length * 2);
  batch.set(a, 0);
  batch.set(b, a.length);
  const out = celTargets(batch, 2, size);
  assert.deepEqual(out.subarray(0, a.length), celTarget(a, size, size));
  assert.deepEqual(out.subarray(a.length), celTarget(b, size, size));
  assert.throws(() => celTarget(a, size + 1, size), RangeError);
});
