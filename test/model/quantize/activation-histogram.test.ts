import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActivationHistogram, HISTOGRAM_BINS } from '../../../src/model/quantize/activation-histogram.js';

void test('the percentile range leaves a few stray values outside and keeps the bulk', () => {
  const h = new ActivationHistogram();
  // 100 000 values in [-1, 3], plus 5 outliers at ±50: 99.99% leaves at most 10 values out at each end.
  const values = new Float32Array(100_005);
  for (let i = 0; i < 100_000; i++) values[i] = -1 + (4 * i) / 99_999;
  values.set([50, 50, 50, -50, -50], 100_000);
  h.addValues(values, values.length);
  assert.deepEqual(h.extremes, [-50, 50]);
  const [lo, hi] = h.percentileRange(99.99);
  assert.ok(lo <= -0.99 && lo > -1.1, `lo ${lo}`);
  assert.ok(hi >= 2.99 && hi < 3.1, `hi ${hi}`);
  // 100% is the plain min/max.
  assert.deepEqual(h.percentileRange(100), [-50, 50]);
});

void test('bins widen as larger values arrive, without losing counts', () => {
  const h = new ActivationHistogram();
  h.addValues(Float32Array.of(0.001, 0.002), 2);
  h.addValues(Float32Array.from({ length: HISTOGRAM_BINS }, (_, i) => i * 10), HISTOGRAM_BINS);
  assert.equal(h.count, HISTOGRAM_BINS + 2);
  const [, hi] = h.percentileRange(100);
  assert.equal(hi, (HISTOGRAM_BINS - 1) * 10);
  // The median magnitude is near the middle of the ramp.
  const [, mid] = h.percentileRange(50);
  assert.ok(Math.abs(mid - (HISTOGRAM_BINS / 2) * 10) < HISTOGRAM_BINS * 10 * 0.01, `median ${mid}`);
});

void test('the range always holds zero and skips non-finite values', () => {
  const h = new ActivationHistogram();
  h.addValues(Float32Array.of(2, 3, 4, Number.NaN, Number.POSITIVE_INFINITY), 5);
  assert.equal(h.count, 3);
  const [lo, hi] = h.percentileRange(100);
  assert.equal(lo, 0);
  assert.equal(hi, 4);
  assert.throws(() => h.percentileRange(0), RangeError);
});

void test('large tensors are sampled at an odd stride, not read whole', () => {
  const h = new ActivationHistogram();
  h.addValues(new Float32Array(1_000_000).fill(1), 1000);
  assert.ok(h.count >= 900 && h.count <= 1100, `count ${h.count}`);
});
