import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dilate, edgeSmooth } from '../../../src/train/dataset/edge-smooth.js';
import { gaussianKernel } from '../../../src/train/dataset/gaussian-kernel.js';
import type { RgbImage } from '../../../src/train/dataset/rgb-image.js';

function twoTone(width: number, height: number, edgeX: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const p = (y * width + x) * 3;
      if (x < edgeX) data.set([230, 200, 120], p);
      else data.set([20, 40, 120], p);
    }
  }
  return { data, width, height };
}

void test('gaussianKernel(5, 0) is OpenCV\'s table; with a sigma it is a normalised symmetric Gaussian', () => {
  assert.deepEqual([...gaussianKernel(5)], [0.0625, 0.25, 0.375, 0.25, 0.0625]);
  const k = gaussianKernel(5, 1.1);
  assert.ok(Math.abs(k.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  assert.equal(k[0], k[4]);
  assert.ok(Math.abs(k[2]! - 0.3695) < 0.001, String(k[2]));
  assert.throws(() => gaussianKernel(4), RangeError);
});

void test('dilate grows a single pixel into a 5x5 square', () => {
  const data = new Uint8Array(81);
  data[4 * 9 + 4] = 1;
  const out = dilate({ data, width: 9, height: 9 }, 5);
  let count = 0;
  for (let y = 0; y < 9; y += 1) {
    for (let x = 0; x < 9; x += 1) {
      const inside = Math.abs(x - 4) <= 2 && Math.abs(y - 4) <= 2;
      assert.equal(out.data[y * 9 + x], inside ? 1 : 0);
      count += out.data[y * 9 + x]!;
    }
  }
  assert.equal(count, 25);
});

void test('edgeSmooth changes only pixels within 2 px (plus blur reach) of the edge, and blurs them', () => {
  const img = twoTone(40, 16, 20);
  const { image, mask } = edgeSmooth(img);
  let changed = 0;
  for (let y = 0; y < 16; y += 1) {
    for (let x = 0; x < 40; x += 1) {
      const p = (y * 40 + x) * 3;
      const differs = image.data[p] !== img.data[p] || image.data[p + 1] !== img.data[p + 1] || image.data[p + 2] !== img.data[p + 2];
      if (differs) {
        changed += 1;
        assert.equal(mask.data[y * 40 + x], 1, `pixel ${x},${y} changed outside the mask`);
        assert.ok(Math.abs(x - 19.5) <= 3, `pixel ${x},${y} is far from the edge`);
      }
      if (Math.abs(x - 19.5) > 5) assert.equal(differs, false, `pixel ${x},${y} far from the edge changed`);
    }
  }
  assert.ok(changed >= 16 * 2, `only ${changed} pixels changed`);
  // Right at the edge the colour is now a mix of both sides.
  const p = (8 * 40 + 19) * 3;
  assert.ok(image.data[p]! < 230 && image.data[p]! > 20, `red at the edge is ${image.data[p]}`);
});

void test('edgeSmooth leaves a flat image untouched', () => {
  const data = new Uint8Array(16 * 16 * 3).fill(128);
  const { image, mask } = edgeSmooth({ data, width: 16, height: 16 });
  assert.deepEqual(image.data, data);
  assert.equal(mask.data.reduce((a, b) => a + b, 0), 0);
});
