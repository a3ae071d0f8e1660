import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, renderBar } from '../../src/cli/progress.js';

void test('formatDuration', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(75), '1:15');
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(formatDuration(Number.NaN), '--:--');
});

void test('renderBar with a known total shows fraction, rate and ETA', () => {
  const bar = renderBar('stylize ', 'frames', 50, 100, 10, 10);
  assert.equal(bar, 'stylize [#####.....] 50/100 frames 50% · 5.00 frames/s · ETA 0:10');
});

void test('renderBar without a total shows count and rate', () => {
  assert.equal(renderBar('', 'steps', 30, undefined, 2), '30 steps · 15.0 steps/s · 0:02');
});
