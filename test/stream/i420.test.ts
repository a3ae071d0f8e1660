import assert from 'node:assert/strict';
import { test } from 'node:test';
import { i420Size, i420ToRgb24, rgb24ToI420 } from '../../src/stream/i420.js';

void test('i420Size rounds chroma planes up for odd sizes', () => {
  assert.equal(i420Size(4, 2), 8 + 2 * 2);
  assert.equal(i420Size(3, 3), 9 + 2 * 4);
});

void test('known colours convert with BT.601 limited range', () => {
  // 2x2 of pure colours: black, white, red.
  for (const [rgb, y] of [
    [[0, 0, 0], 16],
    [[255, 255, 255], 235],
    [[255, 0, 0], 82],
  ] as const) {
    const img = new Uint8Array(12);
    for (let i = 0; i < 4; i++) img.set(rgb, i * 3);
    const yuv = rgb24ToI420(img, 2, 2);
    assert.ok(Math.abs((yuv[0] as number) - y) <= 1, `Y of ${rgb.join(',')} is ${yuv[0]}, expected ${y}`);
    const back = i420ToRgb24(yuv, 2, 2);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs((back[c] as number) - rgb[c]!) <= 3, `channel ${c} of ${rgb.join(',')} came back as ${back[c]}`);
  }
});

void test('a smooth image round-trips within a few levels, odd sizes included', () => {
  for (const [w, h] of [
    [64, 48],
    [63, 47],
  ] as const) {
    const img = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.set([(x * 255) / w, (y * 255) / h, 128], (y * w + x) * 3);
    const back = i420ToRgb24(rgb24ToI420(img, w, h), w, h);
    let worst = 0;
    let sum = 0;
    for (let i = 0; i < img.length; i++) {
      const d = Math.abs((img[i] as number) - (back[i] as number));
      worst = Math.max(worst, d);
      sum += d;
    }
    assert.ok(sum / img.length < 4, `mean error ${sum / img.length} at ${w}x${h}`);
    assert.ok(worst < 40, `worst error ${worst} at ${w}x${h}`);
  }
});

void test('too-small buffers are refused', () => {
  assert.throws(() => i420ToRgb24(new Uint8Array(5), 4, 4), RangeError);
  assert.throws(() => rgb24ToI420(new Uint8Array(5), 4, 4), RangeError);
});
