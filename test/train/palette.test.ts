import assert from 'node:assert/strict';
import { test } from 'node:test';
import { celTarget } from '../../src/train/cel-target.js';
import { gradeRgb, labToRgb, measureLabQuantiles, PALETTE_QUANTILES, rgbToLab, type PaletteMap } from '../../src/train/palette.js';
import { mulberry32 } from '../../src/seeded-random.js';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

void test('sRGB ↔ CIELAB: reference values and a round trip', () => {
  const white = rgbToLab(1, 1, 1);
  close(white[0], 100, 0.01, 'L of white');
  close(white[1], 0, 0.01, 'a of white');
  close(white[2], 0, 0.01, 'b of white');
  assert.deepEqual(rgbToLab(0, 0, 0), [0, 0, 0]);
  // sRGB red, D65: L 53.24, a 80.09, b 67.20 (the standard conversion).
  const red = rgbToLab(1, 0, 0);
  close(red[0], 53.24, 0.02, 'L of red');
  close(red[1], 80.09, 0.05, 'a of red');
  close(red[2], 67.2, 0.05, 'b of red');
  const rand = mulberry32(3);
  for (let i = 0; i < 200; i++) {
    const rgb = [rand(), rand(), rand()] as const;
    const back = labToRgb(...rgbToLab(...rgb));
    for (let c = 0; c < 3; c++) close(back[c]!, rgb[c]!, 1e-4, `round trip channel ${c}`);
  }
});

/** An rgb24 image of n pixels of grey levels drawn uniformly in [lo, hi]. */
function greys(n: number, lo: number, hi: number, seed: number): Uint8Array {
  const rand = mulberry32(seed);
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) out.fill(Math.round(lo + rand() * (hi - lo)), i * 3, i * 3 + 3);
  return out;
}

void test('measured quantiles are sorted percentiles of L, a and b', () => {
  const q = measureLabQuantiles([greys(4000, 20, 200, 1)], 1);
  for (const channel of q) {
    assert.equal(channel.length, PALETTE_QUANTILES);
    for (let i = 1; i < channel.length; i++) assert.ok(channel[i]! >= channel[i - 1]!);
  }
  // Greys: a and b are 0 throughout; L spans the greys' lightness.
  assert.ok(q[1].every((v) => Math.abs(v) < 1e-3) && q[2].every((v) => Math.abs(v) < 1e-3));
  close(q[0][0]!, rgbToLab(20 / 255, 20 / 255, 20 / 255)[0], 0.5, 'lowest L');
  close(q[0][100]!, rgbToLab(200 / 255, 200 / 255, 200 / 255)[0], 0.5, 'highest L');
  assert.throws(() => measureLabQuantiles([new Uint8Array(0)]), /no pixels/);
});

void test('grading maps the photos\' distribution onto the film\'s, by strength; saturation scales chroma', () => {
  // Dark photos, bright film: after grading, the photos' lightness percentiles are the film's.
  const photo = greys(6000, 10, 120, 2);
  const anime = greys(6000, 120, 240, 3);
  const palette: PaletteMap = { photo: measureLabQuantiles([photo], 1), anime: measureLabQuantiles([anime], 1) };
  const graded = Float32Array.from(photo, (v) => v / 255);
  gradeRgb(graded, palette);
  const after = measureLabQuantiles([Uint8Array.from(graded, (v) => Math.round(v * 255))], 1);
  for (const p of [10, 50, 90]) close(after[0][p]!, palette.anime[0][p]!, 1, `L percentile ${p}`);

  const half = Float32Array.from(photo, (v) => v / 255);
  gradeRgb(half, palette, { strength: 0.5 });
  const halfQ = measureLabQuantiles([Uint8Array.from(half, (v) => Math.round(v * 255))], 1);
  close(halfQ[0][50]!, (palette.photo[0][50]! + palette.anime[0][50]!) / 2, 1, 'median L at strength 0.5');

  // The same distribution on both sides is no change; saturation 0 is grey, 2 doubles the chroma.
  const colour = Float32Array.from([0.8, 0.4, 0.2, 0.1, 0.5, 0.7]);
  const same = colour.slice();
  gradeRgb(same, { photo: palette.photo, anime: palette.photo });
  for (let i = 0; i < colour.length; i++) close(same[i]!, colour[i]!, 1e-4, `unchanged value ${i}`);
  const grey = colour.slice();
  gradeRgb(grey, undefined, { saturation: 0 });
  close(grey[0]!, grey[1]!, 1e-4, 'r = g');
  close(grey[1]!, grey[2]!, 1e-4, 'g = b');
  const vivid = Float32Array.from([0.6, 0.5, 0.45]);
  const before = rgbToLab(vivid[0]!, vivid[1]!, vivid[2]!);
  gradeRgb(vivid, undefined, { saturation: 2 });
  const lab = rgbToLab(vivid[0]!, vivid[1]!, vivid[2]!);
  close(Math.hypot(lab[1], lab[2]), 2 * Math.hypot(before[1], before[2]), 0.05, 'chroma doubled');
  close(lab[0], before[0], 0.05, 'lightness kept');
});

void test('the cel target takes the film\'s palette: a flat photo comes out at the film\'s lightness', () => {
  const photo = greys(6000, 10, 120, 4);
  const anime = greys(6000, 120, 240, 5);
  const palette: PaletteMap = { photo: measureLabQuantiles([photo], 1), anime: measureLabQuantiles([anime], 1) };
  const size = 16;
  // A flat mid-dark grey (the photos' median) in the trainer's range [-1, 1].
  const level = 65 / 255;
  const img = new Float32Array(size * size * 3).fill(level * 2 - 1);
  const plain = celTarget(img, size, size);
  const graded = celTarget(img, size, size, { palette });
  const centre = (size * (size / 2) + size / 2) * 3;
  const lightness = (t: Float32Array): number => rgbToLab((t[centre]! + 1) / 2, (t[centre + 1]! + 1) / 2, (t[centre + 2]! + 1) / 2)[0];
  close(lightness(plain), rgbToLab(level, level, level)[0], 0.5, 'no palette: the photo\'s lightness');
  close(lightness(graded), palette.anime[0][50]!, 2, 'with the palette: the film\'s median lightness');
});
