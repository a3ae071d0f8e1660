import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../src/seeded-random.js';
import { planCrops, seedFrom, unitHash } from '../../../src/train/dataset/random-crops.js';
import { cropImage } from '../../../src/train/dataset/rgb-image.js';

void test('planCrops is reproducible and stays inside the area', () => {
  const area = { x: 10, y: 5, width: 100, height: 70 };
  const a = planCrops(area, 64, 20, mulberry32(seedFrom(1, 'film.mp4', 3)));
  const b = planCrops(area, 64, 20, mulberry32(seedFrom(1, 'film.mp4', 3)));
  const c = planCrops(area, 64, 20, mulberry32(seedFrom(2, 'film.mp4', 3)));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  for (const r of a) {
    assert.ok(r.x >= 10 && r.x + 64 <= 110 && r.y >= 5 && r.y + 64 <= 75, JSON.stringify(r));
  }
  assert.ok(new Set(a.map((r) => `${r.x},${r.y}`)).size > 10);
  assert.throws(() => planCrops({ x: 0, y: 0, width: 63, height: 100 }, 64, 1, Math.random), RangeError);
});

void test('unitHash is in [0,1) and spreads', () => {
  const values = Array.from({ length: 1000 }, (_, i) => unitHash('x', i));
  assert.ok(values.every((v) => v >= 0 && v < 1));
  const below = values.filter((v) => v < 0.2).length;
  assert.ok(below > 150 && below < 250, String(below));
});

void test('cropImage copies the right pixels', () => {
  const data = new Uint8Array(4 * 3 * 3).map((_, i) => i);
  const c = cropImage({ data, width: 4, height: 3 }, { x: 1, y: 1, width: 2, height: 2 });
  assert.deepEqual([...c.data], [15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32]);
  assert.throws(() => cropImage({ data, width: 4, height: 3 }, { x: 3, y: 0, width: 2, height: 1 }), RangeError);
});
