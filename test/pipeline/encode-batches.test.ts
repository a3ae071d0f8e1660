import assert from 'node:assert/strict';
import { test } from 'node:test';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { Frame } from '../../src/frame.js';
import { encodeBatches } from '../../src/pipeline/encode-batches.js';
import type { FrameSink } from '../../src/pipeline/encode-batches.js';

function frame(index: number): Frame {
  return { data: new Uint8Array([index, index, index]), width: 1, height: 1, pts: index, index };
}

void test('writes every frame in order, waiting for each write, and emits counts per batch', async () => {
  const written: number[] = [];
  let pending = 0;
  let maxPending = 0;
  const sink: FrameSink = {
    async write(data) {
      pending++;
      maxPending = Math.max(maxPending, pending);
      await new Promise((r) => setTimeout(r, 1));
      written.push(data[0]!);
      pending--;
    },
  };
  const counts = await lastValueFrom(from([[frame(0), frame(1), frame(2)], [frame(3)]]).pipe(encodeBatches(sink), toArray()));
  assert.deepEqual(counts, [3, 1]);
  assert.deepEqual(written, [0, 1, 2, 3]);
  assert.equal(maxPending, 1, 'one write at a time');
});

void test('a failing write errors the stream', async () => {
  const sink: FrameSink = { write: async () => Promise.reject(new Error('encoder died')) };
  await assert.rejects(lastValueFrom(from([[frame(0)]]).pipe(encodeBatches(sink))), /encoder died/);
});
