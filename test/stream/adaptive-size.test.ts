import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdaptiveSize } from '../../src/stream/adaptive-size.js';

/** A simulated model: ms = perPixel × width × height (+ an optional extra load factor), at 16:9. */
function run(sizer: AdaptiveSize, frames: number, msPerMegapixel: number, startMs = 0): number {
  let now = startMs;
  for (let i = 0; i < frames; i++) {
    const width = sizer.side;
    const height = Math.round((width * 9) / 16);
    const frameMs = (msPerMegapixel * width * height) / 1e6;
    now += frameMs;
    sizer.record({ width, height, frameMs, nowMs: now });
  }
  return now;
}

/** Model ms of the current side at 16:9. */
const msAt = (side: number, msPerMegapixel: number): number => (msPerMegapixel * side * Math.round((side * 9) / 16)) / 1e6;

void test('a slow model is shrunk at once to a side whose frames fit the target', () => {
  const sizer = new AdaptiveSize({ targetFps: 15, startSide: 640 });
  // 640x360 takes 280 ms on this model: far over the 66 ms budget.
  run(sizer, 1, 280 / 0.2304);
  assert.ok(sizer.side < 640, `side ${sizer.side}`);
  run(sizer, 30, 280 / 0.2304);
  const ms = msAt(sizer.side, 280 / 0.2304);
  assert.ok(ms <= (1000 / 15) * 0.85 * 1.05, `settled at ${sizer.side}px = ${ms.toFixed(1)} ms a frame`);
  // ...and not needlessly small: one quantum larger would not fit.
  assert.ok(msAt(sizer.side + 16, 280 / 0.2304) > (1000 / 15) * 0.85 * 0.9, `side ${sizer.side} is too small`);
  assert.equal(sizer.side % 8, 0);
});

void test('spare time grows the side gently, up to the ceiling', () => {
  const sizer = new AdaptiveSize({ targetFps: 15, startSide: 160, maxSide: 640 });
  const sides: number[] = [];
  for (let i = 0; i < 60; i++) {
    run(sizer, 1, 20);
    sides.push(sizer.side);
  }
  for (let i = 1; i < sides.length; i++) assert.ok(sides[i]! <= Math.ceil((sides[i - 1]! * 1.25) / 8) * 8, `jump ${sides[i - 1]} → ${sides[i]}`);
  assert.equal(sizer.side, 640);
});

void test('more load (another viewer, another process) shrinks it; less load lets it grow back', () => {
  const sizer = new AdaptiveSize({ targetFps: 15 });
  run(sizer, 40, 150);
  const calm = sizer.side;
  run(sizer, 40, 300); // the CPU halves: every frame takes twice as long
  const busy = sizer.side;
  assert.ok(busy < calm * 0.8, `calm ${calm}, busy ${busy}`);
  run(sizer, 80, 150);
  // Back within the hysteresis band (8%) of where it was.
  assert.ok(Math.abs(sizer.side - calm) <= calm * 0.1, `back to ${sizer.side}, was ${calm}`);
});

void test('never below the floor it states, whatever the load', () => {
  const sizer = new AdaptiveSize({ targetFps: 30, minSide: 160 });
  run(sizer, 20, 100_000);
  assert.equal(sizer.side, 160);
  assert.equal(sizer.snapshot().minSide, 160);
});

void test('two lanes double the time a frame may take', () => {
  const one = new AdaptiveSize({ targetFps: 15 });
  const two = new AdaptiveSize({ targetFps: 15, lanes: 2 });
  assert.ok(Math.abs(two.budgetMs - 2 * one.budgetMs) < 1e-9);
  run(one, 40, 300);
  run(two, 40, 300);
  assert.ok(two.side > one.side * 1.3, `${one.side} vs ${two.side}`);
});

void test('the snapshot reports the chosen size, the last frame size and the achieved frame rate', () => {
  const sizer = new AdaptiveSize({ targetFps: 10, startSide: 320 });
  assert.deepEqual(sizer.snapshot(), { targetFps: 10, minSide: 144, maxSide: 1280, side: 320, lastSize: null, frameMs: null, achievedFps: null });
  // A frame every 100 ms for a second: 10 fps.
  for (let i = 1; i <= 11; i++) sizer.record({ width: 320, height: 180, frameMs: 50, nowMs: i * 100 });
  const s = sizer.snapshot();
  assert.equal(s.achievedFps, 10);
  assert.deepEqual(s.lastSize, { width: 320, height: 180 });
  assert.equal(s.frameMs, 50);
  // Only the last two seconds count.
  for (let i = 1; i <= 5; i++) sizer.record({ width: 320, height: 180, frameMs: 50, nowMs: 5000 + i * 500 });
  assert.equal(sizer.snapshot().achievedFps, 2);
});

void test('bad options are rejected', () => {
  assert.throws(() => new AdaptiveSize({ targetFps: 0 }), RangeError);
  assert.throws(() => new AdaptiveSize({ minSide: 400, maxSide: 200 }), RangeError);
});
