import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stylizer } from '../../src/engine/stylizer.js';
import type { Frame } from '../../src/frame.js';
import { AdaptiveSize } from '../../src/stream/adaptive-size.js';
import { adaptiveSizeStylizer } from '../../src/stream/adaptive-size-stylizer.js';

/** A grey frame with a horizontal ramp (so scaling keeps a recognisable picture). */
function ramp(width: number, height: number): Frame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(Math.round((255 * x) / (width - 1)), (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { data, width, height, pts: 1.5, index: 7 };
}

/** An inverting "model" whose simulated time is 1 ms per 1000 pixels, on a fake clock. */
function fakeModel(clock: { t: number }, seen: string[]): Stylizer {
  return {
    description: 'fake',
    async run(frames) {
      seen.push(`${frames[0]!.width}x${frames[0]!.height}`);
      clock.t += (frames[0]!.width * frames[0]!.height) / 1000;
      return frames.map((f) => ({ ...f, data: f.data.map((v) => 255 - v) }));
    },
    async close() {},
  };
}

void test('frames above the chosen side run scaled down and come back at their own size; smaller ones pass through', async () => {
  const clock = { t: 0 };
  const seen: string[] = [];
  const sizer = new AdaptiveSize({ targetFps: 15, startSide: 320 });
  const s = adaptiveSizeStylizer(fakeModel(clock, seen), sizer, () => clock.t);
  const [out] = await s.run([ramp(640, 360)]);
  assert.equal(seen[0], '320x180');
  assert.equal(out!.width, 640);
  assert.equal(out!.height, 360);
  assert.equal(out!.pts, 1.5);
  assert.equal(out!.index, 7);
  // The inverted ramp survives the round trip: dark on the left, light on the right.
  const row = 100 * 640 * 3;
  assert.ok(out!.data[row + 10 * 3]! > 240 && out!.data[row + 630 * 3]! < 15, `${out!.data[row + 30]} ${out!.data[row + 630 * 3]}`);
  const small = ramp(160, 120);
  const [same] = await s.run([small]);
  assert.equal(seen[1], '160x120');
  assert.equal(same!.data[0], 255);
  assert.deepEqual(sizer.snapshot().lastSize, { width: 160, height: 120 });
  await s.close();
});

void test('the measured model time drives the side: a slow model settles where frames fit the budget', async () => {
  const clock = { t: 0 };
  const seen: string[] = [];
  const sizer = new AdaptiveSize({ targetFps: 15, startSide: 640 });
  const s = adaptiveSizeStylizer(fakeModel(clock, seen), sizer, () => clock.t);
  for (let i = 0; i < 30; i++) await s.run([ramp(1280, 720)]);
  // 1 ms per 1000 px, 56.7 ms budget: about 56 700 px, e.g. 304x171.
  const [w, h] = seen.at(-1)!.split('x').map(Number) as [number, number];
  assert.ok(w * h <= 56_700 * 1.05 && w * h > 56_700 * 0.7, `settled at ${seen.at(-1)}`);
  assert.ok(Math.abs(w / h - 16 / 9) < 0.03, 'aspect kept');
  assert.equal(s.concurrency, 1);
  assert.match(s.description, /fake, adaptive size \(15 fps target, floor 144px\)/);
});
