import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canny, hysteresis, nonMaxSuppression, sobel } from '../../../src/train/dataset/canny.js';
import type { GrayImage } from '../../../src/train/dataset/rgb-image.js';

function stepImage(width: number, height: number, edgeX: number, lo = 20, hi = 220): GrayImage {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) data[y * width + x] = x < edgeX ? lo : hi;
  return { data, width, height };
}

void test('canny finds a vertical step edge, one pixel wide, at the step', () => {
  const img = stepImage(32, 24, 16);
  const edges = canny(img);
  for (let y = 0; y < 24; y += 1) {
    const cols: number[] = [];
    for (let x = 0; x < 32; x += 1) if (edges.data[y * 32 + x] === 1) cols.push(x);
    assert.equal(cols.length, 1, `row ${y}: ${cols.join(',')}`);
    assert.ok(cols[0] === 15 || cols[0] === 16, `row ${y}: edge at ${cols[0]}`);
  }
});

void test('canny finds nothing in a flat image and nothing in a weak ramp', () => {
  const flat = stepImage(20, 20, 10, 100, 100);
  assert.equal(canny(flat).data.reduce((a, b) => a + b, 0), 0);
  const weak = stepImage(20, 20, 10, 100, 105);
  assert.equal(canny(weak).data.reduce((a, b) => a + b, 0), 0);
});

void test('canny finds a horizontal edge too', () => {
  const width = 20;
  const height = 20;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) data[y * width + x] = y < 8 ? 200 : 30;
  const edges = canny({ data, width, height });
  const rows = new Set<number>();
  for (let i = 0; i < edges.data.length; i += 1) if (edges.data[i] === 1) rows.add(Math.floor(i / width));
  assert.deepEqual([...rows].sort(), rows.has(7) ? [7] : [8]);
});

void test('sobel direction bins: vertical edge → 0, horizontal edge → 2', () => {
  const v = sobel(stepImage(8, 8, 4));
  assert.equal(v.direction[3 * 8 + 4], 0);
  assert.ok(v.magnitude[3 * 8 + 4]! > 0);
  const h = { data: new Float32Array(64), width: 8, height: 8 };
  for (let i = 32; i < 64; i += 1) h.data[i] = 100;
  assert.equal(sobel(h).direction[4 * 8 + 3], 2);
});

void test('non-max suppression thins a wide ridge to its maximum', () => {
  const width = 5;
  const mag = new Float32Array([0, 1, 3, 1, 0]);
  const g = { magnitude: mag, direction: new Uint8Array(5), width, height: 1 };
  assert.deepEqual([...nonMaxSuppression(g)], [0, 0, 3, 0, 0]);
});

void test('hysteresis keeps weak pixels connected to strong ones only', () => {
  // strong at 0, weak chain 1-2, gap at 3, isolated weak at 4
  const s = new Float32Array([10, 5, 5, 0, 5]);
  assert.deepEqual([...hysteresis(s, 5, 1, 4, 8).data], [1, 1, 1, 0, 0]);
});
