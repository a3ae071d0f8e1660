import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Frame } from '../../src/frame.js';
import { FlickerMeter, correlation, distinctColours, pairMetrics, quantile } from '../../src/eval/style-metrics.js';

/** A "photo": four flat-coloured quadrants with strong edges between them, plus fine random texture. */
function photo(width: number, height: number, seed = 1): Frame {
  let s = seed;
  const rand = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const q = (x < width / 2 ? 0 : 1) + (y < height / 2 ? 0 : 2);
      const base = [[40, 90, 160], [200, 180, 60], [70, 150, 70], [230, 230, 230]][q]!;
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, base[c]! + (rand() - 0.5) * 40));
    }
  }
  return { data, width, height, pts: 0, index: 0 };
}

/** The same quadrants without texture: what an ideal anime-style flattening does. */
function flatten(frame: Frame): Frame {
  const clean = photo(frame.width, frame.height);
  const data = new Uint8Array(clean.data.length);
  const { width, height } = frame;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const q = (x < width / 2 ? 0 : 1) + (y < height / 2 ? 0 : 2);
      const base = [[40, 90, 160], [200, 180, 60], [70, 150, 70], [230, 230, 230]][q]!;
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = base[c]!;
    }
  }
  return { ...frame, data };
}

function boxBlur(frame: Frame, r: number): Frame {
  const { width, height, data } = frame;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0, n = 0;
        for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
          const yy = Math.min(height - 1, Math.max(0, y + dy)), xx = Math.min(width - 1, Math.max(0, x + dx));
          sum += data[(yy * width + xx) * 3 + c]!; n++;
        }
        out[(y * width + x) * 3 + c] = Math.round(sum / n);
      }
    }
  }
  return { ...frame, data: out };
}

void test('flattening lowers texture and colours but keeps edges and structure', () => {
  const input = photo(128, 96);
  const m = pairMetrics(input, flatten(input));
  assert.ok(m.textureRatio < 0.2, `texture ratio ${m.textureRatio}`);
  assert.ok(m.edgeRatio > 0.8, `edge ratio ${m.edgeRatio}`);
  assert.ok(m.colourRatio < 0.1, `colour ratio ${m.colourRatio}`);
  assert.ok(m.edgeCorrelation > 0.9, `edge correlation ${m.edgeCorrelation}`);
});

void test('an unchanged image scores exactly 1 on every ratio', () => {
  const input = photo(96, 64);
  const m = pairMetrics(input, { ...input, data: Uint8Array.from(input.data) });
  assert.deepEqual([m.textureRatio, m.edgeRatio, m.colourRatio], [1, 1, 1]);
  assert.ok(Math.abs(m.edgeCorrelation - 1) < 1e-9);
});

void test('a blur is told apart from flattening by its edge ratio', () => {
  const input = photo(128, 96);
  const blurred = pairMetrics(input, boxBlur(input, 3));
  const flat = pairMetrics(input, flatten(input));
  assert.ok(blurred.edgeRatio < 0.6, `blur edge ratio ${blurred.edgeRatio}`);
  assert.ok(flat.edgeRatio > blurred.edgeRatio + 0.3);
});

void test('an unrelated output has low edge correlation', () => {
  const input = photo(128, 128);
  const other: Frame = { ...input, data: new Uint8Array(input.data.length) };
  for (let y = 0; y < 128; y++) for (let x = 0; x < 128; x++) for (let c = 0; c < 3; c++) other.data[(y * 128 + x) * 3 + c] = Math.hypot(x - 40, y - 80) < 30 ? 255 : 0;
  assert.ok(pairMetrics(input, other).edgeCorrelation < 0.3);
});

void test('helpers: quantile, correlation, distinct colours', () => {
  assert.equal(quantile(Float32Array.from([5, 1, 3, 2, 4]), 0.5), 3);
  assert.equal(correlation(Float32Array.from([1, 2, 3]), Float32Array.from([2, 4, 6])).toFixed(6), '1.000000');
  assert.equal(distinctColours({ data: Uint8Array.from([0, 0, 0, 1, 1, 1, 255, 0, 0]) }), 2);
  assert.throws(() => pairMetrics(photo(8, 8), photo(8, 10)), RangeError);
});

void test('flicker ratio: 1 when the output moves as the input does, larger when it flickers', () => {
  const frames = [photo(32, 32, 1), photo(32, 32, 2), photo(32, 32, 3)];
  const same = new FlickerMeter();
  for (const f of frames) same.add(f, f);
  assert.equal(same.ratio, 1);
  const flicker = new FlickerMeter();
  frames.forEach((f, i) => flicker.add(f, { ...f, data: f.data.map((v) => (i % 2 ? 255 - v : v)) }));
  assert.ok(flicker.ratio > 2, `flicker ${flicker.ratio}`);
  assert.ok(Number.isNaN(new FlickerMeter().ratio));
});
