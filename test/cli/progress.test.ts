import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgress, formatDuration, renderBar, renderLine } from '../../src/cli/progress.js';

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

void test('renderLine: the plain line for a pipe or a log file', () => {
  assert.equal(renderLine('stylize ', 'frames', 50, 100, 10), 'stylize 50/100 frames (50%) · 5.00 frames/s · 0:10 elapsed, ETA 0:10');
  assert.equal(renderLine('', 'steps', 30, undefined, 2), '30 steps · 15.0 steps/s · 0:02 elapsed');
});

void test('not a TTY and not --json: a plain line at most every everyS seconds, never a carriage return', () => {
  const written: string[] = [];
  const stream = { isTTY: false, write: (s: string) => written.push(s) > 0 } as unknown as NodeJS.WriteStream;
  const often = createProgress({ stream, unit: 'frames', label: 'stylize', everyS: 0 });
  often.update(1, 4);
  often.update(2, 4);
  often.finish({});
  assert.equal(written.length, 2);
  assert.ok(written.every((l) => /^stylize \d\/4 frames \(\d+%\)/.test(l) && l.endsWith('\n') && !l.includes('\r')), written.join(''));
  written.length = 0;
  const rarely = createProgress({ stream, unit: 'frames', everyS: 3600 });
  rarely.update(1, 4);
  rarely.finish({});
  assert.deepEqual(written, []);
});
