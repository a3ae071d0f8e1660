import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectLetterbox } from '../../../src/train/dataset/letterbox.js';
import type { GrayImage } from '../../../src/train/dataset/rgb-image.js';

function framed(width: number, height: number, top: number, bottom: number, left: number, right: number): GrayImage {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const inside = y >= top && y < height - bottom && x >= left && x < width - right;
      // picture: a texture that has some dark pixels too, bars: video black with noise
      data[y * width + x] = inside ? 60 + ((x * 7 + y * 13) % 150) : 16 + ((x + y) % 3);
    }
  }
  return { data, width, height };
}

void test('finds letterbox bars top and bottom', () => {
  const r = detectLetterbox(framed(160, 90, 12, 12, 0, 0));
  assert.equal(r.letterboxed, true);
  assert.deepEqual(r.content, { x: 0, y: 12, width: 160, height: 66 });
});

void test('finds pillarbox bars left and right', () => {
  const r = detectLetterbox(framed(160, 90, 0, 0, 20, 18));
  assert.deepEqual(r.content, { x: 20, y: 0, width: 122, height: 90 });
});

void test('no bars: the whole frame; a black frame is not a letterbox', () => {
  assert.deepEqual(detectLetterbox(framed(64, 48, 0, 0, 0, 0)), { content: { x: 0, y: 0, width: 64, height: 48 }, letterboxed: false });
  const black = { data: new Float32Array(64 * 48).fill(16), width: 64, height: 48 };
  assert.equal(detectLetterbox(black).letterboxed, false);
});

void test('a one-pixel dark edge is ignored', () => {
  const r = detectLetterbox(framed(64, 48, 1, 0, 0, 0));
  assert.equal(r.letterboxed, false);
});
