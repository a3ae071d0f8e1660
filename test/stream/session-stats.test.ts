import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionStats } from '../../src/stream/session-stats.js';

void test('a snapshot reports counters and medians; absurd latencies are ignored', () => {
  const s = new SessionStats('abc', 'ws', 'live', 'default');
  s.framesIn = 10;
  s.framesOut = 8;
  s.dropped = 2;
  for (const v of [10, 20, 30]) s.addModelMs(v);
  s.addLatencyMs(50);
  s.addLatencyMs(-5);
  s.addLatencyMs(Number.NaN);
  const snap = s.snapshot();
  assert.equal(snap.framesIn, 10);
  assert.equal(snap.framesOut, 8);
  assert.equal(snap.dropped, 2);
  assert.equal(snap.modelMs, 20);
  assert.equal(snap.latencyMs, 50);
  assert.equal(snap.serverMs, null);
});

void test('lane wait and idle are means over the recent frames; the idle before the first frame (since the session began) is left out', () => {
  const s = new SessionStats('x', 'ws', 'live', 'default');
  assert.equal(s.snapshot().laneWaitMs, null);
  assert.equal(s.snapshot().laneIdleMs, null);
  s.addLaneStart(0, 5000);
  s.addLaneStart(10, 0);
  s.addLaneStart(2, 4);
  assert.equal(s.snapshot().laneWaitMs, 4);
  assert.equal(s.snapshot().laneIdleMs, 2);
});
