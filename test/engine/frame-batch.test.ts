import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Frame } from '../../src/frame.js';
import { packFrames, unpackFrames } from '../../src/engine/frame-batch.js';

const frame = (index: number, width = 3, height = 2, fill = index): Frame => ({ data: new Uint8Array(width * height * 3).fill(fill), width, height, pts: index * 0.04, index });

void test('packFrames concatenates frames in order; one frame is passed through without a copy', () => {
  const frames = [frame(0), frame(1), frame(2)];
  const batch = packFrames(frames);
  assert.equal(batch.n, 3);
  assert.equal(batch.width, 3);
  assert.equal(batch.height, 2);
  assert.equal(batch.data.length, 54);
  assert.deepEqual([batch.data[0], batch.data[18], batch.data[53]], [0, 1, 2]);
  const single = frame(7);
  assert.equal(packFrames([single]).data, single.data);
});

void test('packFrames rejects mixed sizes, bad lengths and empty batches', () => {
  assert.throws(() => packFrames([frame(0), frame(1, 4, 2)]), /one batch must share its size: frame 1 is 4x2, frame 0 is 3x2/);
  assert.throws(() => packFrames([{ ...frame(0), data: new Uint8Array(5) }]), /5 bytes, expected 18/);
  assert.throws(() => packFrames([]), /empty batch/);
});

void test('unpackFrames keeps size, pts and index and copies each frame', () => {
  const inputs = [frame(4), frame(5)];
  const output = Uint8Array.from({ length: 36 }, (_, i) => i);
  const out = unpackFrames(output, inputs);
  assert.deepEqual(out.map((f) => [f.width, f.height, f.pts, f.index]), [[3, 2, 0.16, 4], [3, 2, 0.2, 5]]);
  assert.equal(out[1]!.data[0], 18);
  output[18] = 99;
  assert.equal(out[1]!.data[0], 18);
  assert.throws(() => unpackFrames(new Uint8Array(10), inputs), /10 bytes for 2 frames of 3x2/);
  assert.deepEqual(unpackFrames(new Uint8Array(0), []), []);
});
