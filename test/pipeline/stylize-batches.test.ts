import assert from 'node:assert/strict';
import { test } from 'node:test';
import { from, lastValueFrom, toArray } from 'rxjs';
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
