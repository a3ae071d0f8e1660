import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dhash, findNearDuplicate, hammingDistance } from '../../../src/train/dataset/dhash.js';
import { mulberry32 } from '../../../src/seeded-random.js';
import type { GrayImage } from '../../../src/train/dataset/rgb-image.js';

function pattern(width: number, height: number, f: (x: number, y: number) => number): GrayImage {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) data[y * width + x] = f(x, y);
  return { data, width, height };
}

void test('hammingDistance counts differing bits', () => {
  assert.equal(hammingDistance('0000000000000000', '0000000000000000'), 0);
  assert.equal(hammingDistance('ff00000000000000', '0000000000000001'), 9);
  assert.throws(() => hammingDistance('00', '0000'), RangeError);
});

void test('dHash of an image and its noised copy is close; of different images far', () => {
  const a = pattern(90, 80, (x, y) => 128 + 100 * Math.sin(x / 9) * Math.cos(y / 13));
  const rand = mulberry32(7);
  const noisy = { ...a, data: a.data.map((v) => v + (rand() - 0.5) * 12) };
  const b = pattern(90, 80, (x, y) => 128 + 100 * Math.cos(x / 5 + y / 7));
  const c = pattern(90, 80, (x, y) => (x * 3 + y * 2) % 255);
  const ha = dhash(a);
  assert.match(ha, /^[0-9a-f]{16}$/);
  assert.ok(hammingDistance(ha, dhash(noisy)) <= 4, `noised distance ${hammingDistance(ha, dhash(noisy))}`);
  assert.ok(hammingDistance(ha, dhash(b)) >= 16, `different distance ${hammingDistance(ha, dhash(b))}`);
  assert.ok(hammingDistance(ha, dhash(c)) >= 16, `different distance ${hammingDistance(ha, dhash(c))}`);
  assert.equal(findNearDuplicate(dhash(noisy), [dhash(b), ha], 6), ha);
  assert.equal(findNearDuplicate(dhash(c), [ha], 6), undefined);
});
