import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TiledStylizer } from '../../src/engine/tiled-stylizer.js';
import type { Stylizer } from '../../src/engine/stylizer.js';
import { boundaryStepRatio, gradientProfile, meanAbsDiff, planBoundaries } from '../../src/engine/tiling/seam-metrics.js';
import type { Frame } from '../../src/frame.js';

/** Records the sizes it was asked to run. */
class RecordingStylizer implements Stylizer {
  readonly description = 'test';
  calls: Array<{ n: number; width: number; height: number }> = [];
  closed = 0;
  constructor(private readonly fn: (f: Frame) => Uint8Array) {}
  async run(frames: Frame[]): Promise<Frame[]> {
    this.calls.push({ n: frames.length, width: frames[0]!.width, height: frames[0]!.height });
    return frames.map((f) => ({ ...f, data: this.fn(f) }));
  }
  async close(): Promise<void> {
    this.closed += 1;
  }
}

/** A per-pixel colour map: tiling must not change its result at all. */
const colourMap = (f: Frame): Uint8Array => f.data.map((v, i) => (i % 3 === 0 ? 255 - v : i % 3 === 1 ? (v * 2) & 255 : v >> 1));

/**
 * Imitates instance normalisation: each channel is normalised by the mean and std of the whole input
 * it is given, so a tile comes out in a different tone than the same pixels in the whole frame.
 */
const toneShifting = (f: Frame): Uint8Array => {
  const out = new Uint8Array(f.data.length);
  for (let k = 0; k < 3; k += 1) {
    let m = 0;
    let v = 0;
    const n = f.width * f.height;
    for (let i = k; i < f.data.length; i += 3) m += f.data[i]!;
    m /= n;
    for (let i = k; i < f.data.length; i += 3) v += (f.data[i]! - m) ** 2;
    const sd = Math.sqrt(v / n) || 1;
    for (let i = k; i < f.data.length; i += 3) out[i] = Math.max(0, Math.min(255, Math.round(128 + (48 * (f.data[i]! - m)) / sd)));
  }
  return out;
};

/** A scene whose regions differ in brightness and contrast (sky, ground), with texture. */
function scene(w: number, h: number): Frame {
  const data = new Uint8Array(w * h * 3);
  let s = 7;
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      s = (s * 1103515245 + 12345) >>> 0;
      const n = (s >>> 26) - 32;
      const sky = y < h * 0.37;
      const base = sky ? 190 + (40 * x) / w : 50 + (60 * x) / w + 30 * Math.sin(x / 17) * Math.sin(y / 23);
      const o = (y * w + x) * 3;
      data[o] = Math.max(0, Math.min(255, Math.round(base + n)));
      data[o + 1] = Math.max(0, Math.min(255, Math.round(base * 0.9 + n)));
      data[o + 2] = Math.max(0, Math.min(255, Math.round(sky ? 240 : base * 0.6 + n)));
    }
  }
  return { data, width: w, height: h, pts: 1.5, index: 3 };
}

test('frames that fit go straight through in one call', async () => {
  const inner = new RecordingStylizer(colourMap);
  const tiled = new TiledStylizer(inner, { tile: 64 });
  const frames = [scene(64, 40), { ...scene(64, 40), index: 4 }];
  const out = await tiled.run(frames);
  assert.deepEqual(inner.calls, [{ n: 2, width: 64, height: 40 }]);
  assert.deepEqual(out[1]!.data, colourMap(frames[1]!));
});

test('a per-pixel map gives the same frame tiled and untiled; pts and index are kept', async () => {
  const inner = new RecordingStylizer(colourMap);
  const tiled = new TiledStylizer(inner, { tile: 64, overlap: 16, tone: 'none', tileBatch: 3 });
  const frame = scene(300, 170);
  const [out] = await tiled.run([frame]);
  assert.deepEqual(out!.data, colourMap(frame));
  assert.equal(out!.pts, 1.5);
  assert.equal(out!.index, 3);
  // 6 columns × 4 rows of 64² tiles, in groups of at most 3 tiles of one row.
  assert.ok(inner.calls.every((c) => c.width === 64 && c.height === 64 && c.n <= 3));
  assert.equal(inner.calls.reduce((s, c) => s + c.n, 0), tiled.plan(300, 170).tiles.length);
});

test('instance-norm-like tone shifts: tone matching brings tiles back to the untiled result, blending leaves no step', async () => {
  const frame = scene(480, 320);
  const untiled = toneShifting(frame);
  const measure = async (tone: 'none' | 'affine' | 'lowfreq') => {
    const tiled = new TiledStylizer(new RecordingStylizer(toneShifting), { tile: 128, overlap: 32, tone, referenceSide: 128 });
    const [out] = await tiled.run([frame]);
    const plan = tiled.plan(480, 320);
    const stepX = boundaryStepRatio(gradientProfile(out!.data, 480, 320, 'x'), planBoundaries(plan.cols));
    const stepY = boundaryStepRatio(gradientProfile(out!.data, 480, 320, 'y'), planBoundaries(plan.rows));
    return { diff: meanAbsDiff(out!.data, untiled, 480, 320, 16), stepX, stepY };
  };
  const none = await measure('none');
  const affine = await measure('affine');
  const lowfreq = await measure('lowfreq');
  console.log(JSON.stringify({ none, affine, lowfreq }));
  // Without correction the tiles' tones differ a lot from the whole frame's.
  assert.ok(none.diff > 15, `no tone matching: mean diff ${none.diff}`);
  assert.ok(affine.diff < none.diff / 2, `affine ${affine.diff} vs none ${none.diff}`);
  assert.ok(lowfreq.diff < none.diff / 3, `lowfreq ${lowfreq.diff} vs none ${none.diff}`);
  for (const m of [affine, lowfreq]) {
    assert.ok(m.stepX < 1.25 && m.stepY < 1.25, `step ratio ${m.stepX} / ${m.stepY}`);
  }
});

test('the step metric does see a hard seam (negative control)', () => {
  // Left half 100, right half 140, with identical texture: the only step is at column 49→50.
  const w = 100;
  const h = 40;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y += 1) for (let x = 0; x < w; x += 1) for (let k = 0; k < 3; k += 1) data[(y * w + x) * 3 + k] = (x < 50 ? 100 : 140) + ((x * 7 + y * 3) % 11);
  const ratio = boundaryStepRatio(gradientProfile(data, w, h, 'x'), [49]);
  assert.ok(ratio > 3, `ratio ${ratio}`);
});

test('close() closes the wrapped stylizer once; run() after close() throws', async () => {
  const inner = new RecordingStylizer(colourMap);
  const tiled = new TiledStylizer(inner);
  await tiled.close();
  await tiled.close();
  assert.equal(inner.closed, 1);
  await assert.rejects(tiled.run([scene(8, 8)]));
});

test('an aborted signal stops a tiled frame with E_ABORTED', async () => {
  const controller = new AbortController();
  controller.abort();
  const tiled = new TiledStylizer(new RecordingStylizer(colourMap), { tile: 64, signal: controller.signal });
  await assert.rejects(tiled.run([scene(200, 100)]), { code: 'E_ABORTED' });
});
