import assert from 'node:assert/strict';
import { test } from 'node:test';
import { animeGrade, animeTarget01, l0Smooth, outlineMask } from '../../src/train/anime-target.js';
import { rgbToLab } from '../../src/train/palette.js';
import { mulberry32 } from '../../src/seeded-random.js';

/** w×h rgb in [0,1]: a left and a right region of two colours, plus uniform noise of ±noise. */
function twoRegions(w: number, h: number, left: [number, number, number], right: [number, number, number], noise: number, seed = 1): Float32Array {
  const rand = mulberry32(seed);
  const img = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const base = x < w / 2 ? left : right;
      for (let c = 0; c < 3; c++) img[(y * w + x) * 3 + c] = Math.min(1, Math.max(0, base[c]! + (rand() * 2 - 1) * noise));
    }
  }
  return img;
}

function regionStd(img: Float32Array, w: number, h: number, x0: number, x1: number, channel = 0): number {
  const v: number[] = [];
  for (let y = 2; y < h - 2; y++) for (let x = x0; x < x1; x++) v.push(img[(y * w + x) * 3 + channel]!);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
}

void test('L0 smoothing removes texture inside regions and keeps the border a step (any size, padded to 2^k)', () => {
  for (const [w, h] of [[32, 32], [40, 24]] as const) {
    const img = twoRegions(w, h, [0.2, 0.3, 0.4], [0.8, 0.7, 0.5], 0.08);
    const out = l0Smooth(img, w, h, 0.02);
    assert.equal(out.length, img.length);
    assert.ok(regionStd(out, w, h, 3, w / 2 - 3) < regionStd(img, w, h, 3, w / 2 - 3) * 0.2, `${w}x${h}: left region still textured`);
    assert.ok(regionStd(out, w, h, w / 2 + 3, w - 3) < regionStd(img, w, h, w / 2 + 3, w - 3) * 0.2);
    // The border: one row's two pixels either side of it differ as much as the region colours do.
    const row = Math.floor(h / 2) * w;
    const jump = out[(row + w / 2) * 3]! - out[(row + w / 2 - 1) * 3]!;
    assert.ok(jump > 0.45, `${w}x${h}: border blurred (jump ${jump.toFixed(3)})`);
  }
});

void test('a blur is not what L0 does: mean colour kept, no halo', () => {
  const w = 32;
  const img = twoRegions(w, w, [0.1, 0.1, 0.1], [0.9, 0.9, 0.9], 0);
  const out = l0Smooth(img, w, w, 0.02);
  let worst = 0;
  for (let i = 0; i < img.length; i++) worst = Math.max(worst, Math.abs(out[i]! - img[i]!));
  assert.ok(worst < 0.05, `a clean two-region image should come back unchanged, worst difference ${worst}`);
});

void test('outlines are drawn on a strong colour border and not on low-contrast texture', () => {
  const w = 48;
  const h = 32;
  // Strong border at x = 24; texture (noise ±0.06) everywhere.
  const img = twoRegions(w, h, [0.25, 0.45, 0.2], [0.85, 0.8, 0.6], 0.06, 3);
  const flat = l0Smooth(img, w, h, 0.02);
  const line = outlineMask(flat, img, w, h);
  let onBorder = 0;
  let elsewhere = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = line[y * w + x]!;
      // The line lies on the darker side, up to 3 px from the border.
      if (Math.abs(x - w / 2) <= 3) onBorder = Math.max(onBorder, v);
      else if (x > 4 && x < w - 5) elsewhere = Math.max(elsewhere, v);
    }
  }
  assert.ok(onBorder > 0.5, `no outline on the border (${onBorder})`);
  assert.equal(elsewhere, 0, 'texture drew an outline');
  // Texture alone (no border): nothing, even though it has many small edges.
  const textured = twoRegions(w, h, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.1, 4);
  assert.ok(outlineMask(l0Smooth(textured, w, h, 0.02), textured, w, h).every((v) => v === 0));
});

void test('the grade lifts midtones, keeps a sky blue and makes it lighter, and saturates', () => {
  const px = new Float32Array([0.3, 0.3, 0.3, 0.35, 0.55, 0.85, 0.4, 0.5, 0.3]);
  const before = [0, 1, 2].map((k) => rgbToLab(px[k * 3]!, px[k * 3 + 1]!, px[k * 3 + 2]!));
  animeGrade(px);
  const after = [0, 1, 2].map((k) => rgbToLab(px[k * 3]!, px[k * 3 + 1]!, px[k * 3 + 2]!));
  assert.ok(after[0]![0] > before[0]![0] + 3, 'grey midtone not lifted');
  assert.ok(after[1]![0] > before[1]![0], 'blue not lighter');
  assert.ok(after[1]![2] < 0, 'blue is no longer blue');
  const chroma = (lab: number[]): number => Math.hypot(lab[1]!, lab[2]!);
  assert.ok(chroma(after[2]!) > chroma(before[2]!) * 1.1, 'green not more saturated');
});

void test('animeTarget01 checks its size and returns [0,1] values', () => {
  assert.throws(() => animeTarget01(new Float32Array(10), 2, 2), /10 values for 2x2/);
  const img = twoRegions(32, 32, [0.2, 0.4, 0.7], [0.9, 0.85, 0.6], 0.05);
  const out = animeTarget01(img, 32, 32);
  assert.ok(out.every((v) => v >= 0 && v <= 1));
  // The border is drawn darker than either region beside it.
  const row = 16 * 32;
  const minAtBorder = Math.min(...[14, 15, 16, 17].map((x) => out[(row + x) * 3 + 1]!));
  assert.ok(minAtBorder < Math.min(out[(row + 6) * 3 + 1]!, out[(row + 26) * 3 + 1]!) * 0.7, 'no dark outline at the border');
});
