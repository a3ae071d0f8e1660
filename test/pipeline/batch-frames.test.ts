import assert from 'node:assert/strict';
import { test } from 'node:test';
import { from, lastValueFrom, toArray, throwError, concat } from 'rxjs';
import type { Frame } from '../../src/frame.js';
import { batchFrames } from '../../src/pipeline/batch-frames.js';

function frame(index: number, width = 2, height = 2): Frame {
  return { data: new Uint8Array(width * height * 3).fill(index), width, height, pts: index / 10, index };
}

void test('full batches, then a short last batch, order kept', async () => {
  const batches = await lastValueFrom(from(Array.from({ length: 10 }, (_, i) => frame(i))).pipe(batchFrames(4), toArray()));
  assert.deepEqual(batches.map((b) => b.map((f) => f.index)), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
});

void test('a change of frame size starts a new batch', async () => {
  const frames = [frame(0), frame(1), frame(2, 4, 4), frame(3, 4, 4), frame(4, 4, 4)];
  const batches = await lastValueFrom(from(frames).pipe(batchFrames(2), toArray()));
  assert.deepEqual(batches.map((b) => b.map((f) => f.index)), [[0, 1], [2, 3], [4]]);
});

void test('batch size 1 and an empty source', async () => {
  assert.equal((await lastValueFrom(from([frame(0), frame(1)]).pipe(batchFrames(1), toArray()))).length, 2);
  assert.deepEqual(await lastValueFrom(from([] as Frame[]).pipe(batchFrames(3), toArray())), []);
});

void test('errors pass through; bad sizes are refused', async () => {
  await assert.rejects(lastValueFrom(concat(from([frame(0)]), throwError(() => new Error('boom'))).pipe(batchFrames(2))), /boom/);
  assert.throws(() => batchFrames(0), RangeError);
  assert.throws(() => batchFrames(1.5), RangeError);
});
