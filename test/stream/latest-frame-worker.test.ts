import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatestFrameWorker } from '../../src/stream/latest-frame-worker.js';
import { settle, waitFor } from '../wait-for.js';

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
  await waitFor('frame 5', () => processed.length === 2, 5000, 1);
  assert.deepEqual(processed, [1, 5]);
  assert.equal(dropped, 3);
  await worker.close();
  worker.offer(6, 6);
  await settle();
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
  await waitFor('the error of frame 1', () => errors.length === 1, 5000, 1);
  worker.offer(2, 2);
  await waitFor('frame 2', () => done.length === 1, 5000, 1);
  assert.equal(errors.length, 1);
  assert.deepEqual(done, [2]);
  await worker.close();
});

void test('with two lanes two frames run at once, each lane takes the newest, and the timing says who waited', async () => {
  let clock = 0;
  const starts: { waitedMs: number; idleMs: number }[] = [];
  const releases = new Map<number, () => void>();
  const processed: number[] = [];
  let dropped = 0;
  const worker = new LatestFrameWorker<number>(
    async (n) => {
      processed.push(n);
      await new Promise<void>((r) => releases.set(n, r));
    },
    (k) => (dropped += k),
    (err) => assert.fail(String(err)),
    (s) => starts.push(s),
    () => clock,
  );
  worker.setLanes(2);
  clock = 10;
  worker.offer(1, 1); // lane idle since 0: it waited 10 ms for the frame
  clock = 20;
  worker.offer(2, 2); // the second lane idle since setLanes (0)
  assert.deepEqual(processed, [1, 2]);
  assert.equal(worker.busy, 2);
  clock = 30;
  worker.offer(3, 3);
  worker.offer(4, 4); // replaces 3
  assert.equal(dropped, 1);
  clock = 50;
  releases.get(1)?.();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(processed, [1, 2, 4]);
  assert.deepEqual(starts, [
    { waitedMs: 0, idleMs: 10 },
    { waitedMs: 0, idleMs: 20 },
    { waitedMs: 20, idleMs: 0 },
  ]);
  for (const r of releases.values()) r();
  await worker.close();
});

void test('lanes must be a whole number of at least one', () => {
  const worker = new LatestFrameWorker<number>(
    async () => undefined,
    () => undefined,
    () => undefined,
  );
  assert.throws(() => worker.setLanes(0), RangeError);
  assert.throws(() => worker.setLanes(1.5), RangeError);
});
