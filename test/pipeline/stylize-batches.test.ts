import assert from 'node:assert/strict';
import { test } from 'node:test';
import { from, lastValueFrom, tap, toArray } from 'rxjs';
import type { Stylizer } from '../../src/engine/stylizer.js';
import type { Frame } from '../../src/frame.js';
import { stylizeBatches } from '../../src/pipeline/stylize-batches.js';
import { invertStylizer } from './invert-stylizer.js';

function frame(index: number): Frame {
  return { data: new Uint8Array([index, 10, 200, 0, 0, 0]), width: 2, height: 1, pts: index / 25, index };
}

void test('each batch goes through the stylizer once, in order, one call at a time', async () => {
  const stylizer = invertStylizer(5);
  let inFlight = 0;
  let maxInFlight = 0;
  const wrapped: Stylizer = {
    description: stylizer.description,
    async run(frames) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await stylizer.run(frames);
      } finally {
        inFlight--;
      }
    },
    close: () => stylizer.close(),
  };
  const out = await lastValueFrom(from([[frame(0), frame(1)], [frame(2)]]).pipe(stylizeBatches(wrapped), toArray()));
  assert.deepEqual(stylizer.calls, [2, 1]);
  assert.equal(maxInFlight, 1);
  assert.deepEqual(out.flat().map((f) => f.index), [0, 1, 2]);
  assert.deepEqual([...out[0]![1]!.data], [254, 245, 55, 255, 255, 255]);
  assert.equal(out[1]![0]!.pts, 2 / 25);
});

void test('a stylizer that loses a frame or changes the size fails loudly', async () => {
  const dropping: Stylizer = { description: 'dropper', run: async (f) => f.slice(1), close: async () => undefined };
  await assert.rejects(lastValueFrom(from([[frame(0), frame(1)]]).pipe(stylizeBatches(dropping))), /returned 1 frames for a batch of 2/);
  const resizing: Stylizer = { description: 'resizer', run: async (f) => f.map((x) => ({ ...x, width: 1, height: 2 })), close: async () => undefined };
  await assert.rejects(lastValueFrom(from([[frame(0)]]).pipe(stylizeBatches(resizing))), /came back 1x2/);
});

void test('source timing is restored if an engine rewrites it', async () => {
  const renumbering: Stylizer = { description: 'renumber', run: async (f) => f.map((x) => ({ ...x, index: 0, pts: 0 })), close: async () => undefined };
  const out = await lastValueFrom(from([[frame(3), frame(4)]]).pipe(stylizeBatches(renumbering)));
  assert.deepEqual(out.map((f) => [f.index, f.pts]), [[3, 3 / 25], [4, 4 / 25]]);
});

void test('with concurrency 2 two batches run at once and come out in order, whichever finishes first', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  // Batch 0 is slow, batch 1 fast: batch 1 finishes first but must be emitted second.
  const delays = [60, 5, 5, 30];
  const slowFirst: Stylizer = {
    description: 'slow-first',
    async run(frames) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, delays[frames[0]!.index] ?? 1));
      inFlight--;
      return frames.map((f) => ({ ...f, data: f.data.map((v) => 255 - v) }));
    },
    close: async () => undefined,
  };
  // A queue of two, as the threaded stylizer's lanes would be: at most two runs at once.
  let running = 0;
  const waiting: Array<() => void> = [];
  const twoLanes: Stylizer = {
    description: slowFirst.description,
    async run(frames) {
      while (running >= 2) await new Promise<void>((r) => waiting.push(r));
      running++;
      try {
        return await slowFirst.run(frames);
      } finally {
        running--;
        waiting.shift()?.();
      }
    },
    close: async () => undefined,
  };
  const out = await lastValueFrom(from([[frame(0)], [frame(1)], [frame(2)], [frame(3)]]).pipe(stylizeBatches(twoLanes, 2), toArray()));
  assert.deepEqual(out.flat().map((f) => f.index), [0, 1, 2, 3]);
  assert.equal(maxInFlight, 2);
  assert.deepEqual([...out[1]![0]!.data], [254, 245, 55, 255, 255, 255]);
});

void test('with concurrency 2 a later batch that fails while an earlier one runs: the earlier comes out first, then the error, and nothing goes unhandled', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown): void => void unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  try {
    const failing: Stylizer = {
      description: 'fails-on-1',
      async run(frames) {
        if (frames[0]!.index === 1) throw new Error('batch 1 failed');
        await new Promise((r) => setTimeout(r, 40));
        return frames;
      },
      close: async () => undefined,
    };
    const emitted: number[] = [];
    await assert.rejects(lastValueFrom(from([[frame(0)], [frame(1)], [frame(2)]]).pipe(stylizeBatches(failing, 2), tap((b) => emitted.push(b[0]!.index)))), /batch 1 failed/);
    assert.deepEqual(emitted, [0]);
    // Batch 2 was started and finishes after the stream failed; that must not surface anywhere.
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
