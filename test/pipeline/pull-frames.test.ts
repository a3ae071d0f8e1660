import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatMap, Subject, tap, toArray, lastValueFrom } from 'rxjs';
import { settle, waitFor } from '../wait-for.js';
import { pullFrames } from '../../src/pipeline/pull-frames.js';

/** A source that counts how many items were pulled and whether it was told to stop. */
function countingSource(n: number) {
  const state = { pulled: 0, returned: false };
  const iterable: AsyncIterable<number> = {
    [Symbol.asyncIterator]() {
      return {
        async next() {
          if (state.pulled >= n) return { done: true, value: undefined };
          return { done: false, value: state.pulled++ };
        },
        async return() {
          state.returned = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { iterable, state };
}

void test('never more than `window` items between the source and the acknowledging stage, and none lost', async () => {
  const { iterable, state } = countingSource(50);
  const acks = new Subject<number>();
  let acked = 0;
  let maxAhead = 0;
  const out = await lastValueFrom(
    pullFrames(iterable, { window: 4, acks }).pipe(
      tap(() => {
        maxAhead = Math.max(maxAhead, state.pulled - acked);
      }),
      // A slow consumer: each item takes a few ms.
      concatMap(async (x) => {
        await new Promise((r) => setTimeout(r, 2));
        return x;
      }),
      tap(() => {
        acked += 1;
        acks.next(1);
      }),
      toArray(),
    ),
  );
  assert.deepEqual(out, Array.from({ length: 50 }, (_, i) => i));
  assert.ok(maxAhead <= 4, `source ran ${maxAhead} ahead`);
  assert.ok(maxAhead >= 2, 'the window is used for read-ahead');
});

void test('without acknowledgements the source stops after `window` items', async () => {
  const { iterable, state } = countingSource(100);
  const seen: number[] = [];
  const sub = pullFrames(iterable, { window: 3, acks: new Subject<number>() }).subscribe((x) => seen.push(x));
  await waitFor('three items', () => seen.length >= 3, 5000, 1);
  // Whatever the source would pull beyond the window has had its chance to.
  await settle(20);
  assert.deepEqual(seen, [0, 1, 2]);
  assert.equal(state.pulled, 3);
  sub.unsubscribe();
  await waitFor('the source to be returned', () => state.returned, 5000, 1);
  assert.equal(state.returned, true, 'unsubscribing lets the source clean up');
});

void test('a source error reaches the subscriber', async () => {
  const failing: AsyncIterable<number> = {
    async *[Symbol.asyncIterator]() {
      yield 1;
      throw new Error('decoder died');
    },
  };
  const acks = new Subject<number>();
  await assert.rejects(lastValueFrom(pullFrames(failing, { window: 2, acks }).pipe(tap(() => acks.next(1)))), /decoder died/);
});

void test('window must be at least 1', () => {
  assert.throws(() => pullFrames(countingSource(1).iterable, { window: 0, acks: new Subject<number>() }), RangeError);
});
