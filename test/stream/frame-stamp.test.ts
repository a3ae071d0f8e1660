import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canStamp, readStamp, readStampI420, STAMP_CELL, STAMP_CELLS, STAMP_HEIGHT, STAMP_WIDTH, stampBits, stampFromBits, writeStampI420 } from '../../src/stream/frame-stamp.js';
import { i420Size, i420ToRgb24, rgb24ToI420 } from '../../src/stream/i420.js';

void test('a frame number survives its bits and wraps at 16 bits', () => {
  for (const n of [0, 1, 255, 256, 4242, 65535]) assert.equal(stampFromBits(stampBits(n)), n);
  assert.equal(stampFromBits(stampBits(65536 + 7)), 7);
  assert.equal(stampBits(0).length, STAMP_CELLS);
});

void test('a flipped bit or a blank strip is rejected by the check bits', () => {
  const bits = stampBits(1234);
  for (let i = 0; i < STAMP_CELLS; i++) {
    const flipped = [...bits];
    flipped[i] = 1 - (flipped[i] as number);
    assert.equal(stampFromBits(flipped), null, `bit ${i}`);
  }
  assert.equal(stampFromBits(new Array<number>(STAMP_CELLS).fill(0)), null);
  assert.equal(stampFromBits(new Array<number>(STAMP_CELLS).fill(1)), null);
  assert.equal(stampFromBits([1, 0]), null);
});

void test('a stamp written into an I420 frame reads back from it and through rgb24 (what a browser shows)', () => {
  const w = 256;
  const h = 64;
  // A busy picture under the stamp: the stamp overwrites it.
  const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 97) & 255);
  const i420 = rgb24ToI420(rgb, w, h);
  assert.notEqual(readStampI420(i420, w, h), 777);
  writeStampI420(i420, w, h, 777);
  assert.equal(readStampI420(i420, w, h), 777);
  const back = i420ToRgb24(i420, w, h);
  assert.equal(
    readStamp((x, y) => back[(y * w + x) * 3 + 1] as number),
    777,
  );
  // Only the strip changed.
  const untouched = rgb24ToI420(rgb, w, h);
  for (let y = STAMP_HEIGHT; y < h; y++) assert.deepEqual(i420.subarray(y * w, (y + 1) * w), untouched.subarray(y * w, (y + 1) * w));
  assert.equal(i420.length, i420Size(w, h));
});

void test('cells are read from their centres, so blurred edges do not change the number', () => {
  const w = STAMP_WIDTH;
  const bits = stampBits(31337);
  const luma = (x: number, y: number): number => {
    const cell = Math.floor(x / STAMP_CELL);
    const edge = x % STAMP_CELL === 0 || x % STAMP_CELL === STAMP_CELL - 1 || y === 0 || y === STAMP_HEIGHT - 1;
    return edge ? 128 : bits[cell] ? 200 : 50;
  };
  assert.equal(readStamp(luma), 31337);
  assert.equal(w, STAMP_CELL * STAMP_CELLS);
});

void test('frames too small for the strip are neither stamped nor read', () => {
  assert.equal(canStamp(STAMP_WIDTH - 1, 100), false);
  assert.equal(canStamp(STAMP_WIDTH, STAMP_HEIGHT), true);
  const small = new Uint8Array(i420Size(160, 120)).fill(99);
  writeStampI420(small, 160, 120, 5);
  assert.ok(small.every((v) => v === 99));
  assert.equal(readStampI420(small, 160, 120), null);
});
