import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatestFrameWorker } from '../../src/stream/latest-frame-worker.js';

void test('a busy worker keeps only the newest frame, in order, and counts the rest as dropped', async () => {
  const processed: number[] = [];
  let dropped = 0;
  let release: (() => void) | undefined;
  const worker = new LatestFrameWorker<number>(
    async (n) => {
      processed.push(n);
      if (n === 1) await new Promise<void>((r) => (release = r));
    },
    (k) => (dropped += k),
    (err) => assert.fail(String(err)),
  );
  worker.offer(1, 1); // starts at once and blocks
  for (let i = 2; i <= 5; i++) worker.offer(i, i); // 2,3,4 superseded by 5
  await new Promise((r) => setImmediate(r));
  release?.();
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(processed, [1, 5]);
  assert.equal(dropped, 3);
  await worker.close();
  worker.offer(6, 6);
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(processed, [1, 5], 'nothing after close');
  await worker.close(); // idempotent
});

void test('an error in one frame does not stop the worker', async () => {
  const errors: unknown[] = [];
  const done: number[] = [];
  const worker = new LatestFrameWorker<number>(
    async (n) => {
      if (n === 1) throw new Error('boom');
      done.push(n);
    },
    () => undefined,
    (e) => errors.push(e),
  );
  worker.offer(1, 1);
  await new Promise((r) => setTimeout(r, 5));
  worker.offer(2, 2);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(errors.length, 1);
  assert.deepEqual(done, [2]);
  await worker.close();
});
