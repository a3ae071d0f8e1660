import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../src/seeded-random.js';
import { SendPacer, type SendPacerOptions } from '../../src/stream/send-pacer.js';

/**
 * A simulated server with one lane of `modelMs` and a viewer whose frames take `tripMs` to reach it:
 * the pacer's sends, driven only by the server's feedback, should settle at one frame per model time
 * with frames waiting about the target in the slot and the lane hardly idle.
 */
function simulate(tripMs: number | (() => number), modelMs: number, lanes = 1, durationMs = 5000, pacerOptions: Partial<SendPacerOptions> = {}): { sent: number; started: number; waits: number[]; idles: number[] } {
  const pacer = new SendPacer({ initialLeadMs: 10, targetWaitMs: 5, ...pacerOptions });
  const trip = typeof tripMs === 'number' ? () => tripMs : tripMs;
  pacer.setLanes(lanes);
  const laneFreeAt = new Array<number>(lanes).fill(0);
  const arrivals: number[] = []; // arrival times of frames waiting for a lane (newest wins)
  const feedback: { at: number; waitedMs: number; idleMs: number }[] = [];
  const waits: number[] = [];
  const idles: number[] = [];
  let sent = 0;
  let started = 0;
  for (let t = 0; t < durationMs; t += 1) {
    for (const f of feedback.filter((x) => x.at <= t)) pacer.onTook({ waitedMs: f.waitedMs, idleMs: f.idleMs, modelMs }, t);
    for (let i = feedback.length - 1; i >= 0; i--) if ((feedback[i] as { at: number }).at <= t) feedback.splice(i, 1);
    if (pacer.shouldSend(t)) {
      pacer.onSent(t);
      sent++;
      arrivals.push(t + Math.round(trip()));
    }
    const ready = arrivals.filter((a) => a <= t);
    if (ready.length > 0) {
      const lane = laneFreeAt.findIndex((free) => free <= t);
      if (lane >= 0) {
        const arrived = Math.max(...ready);
        arrivals.splice(0, arrivals.length, ...arrivals.filter((a) => a > t));
        const free = laneFreeAt[lane] as number;
        // As the server reports it (latest-frame-worker.ts): time in the slot, and the lane's idle time before the frame came.
        const waitedMs = t - arrived;
        const idleMs = Math.max(0, arrived - free);
        laneFreeAt[lane] = t + modelMs;
        started++;
        if (t > durationMs / 2) {
          waits.push(waitedMs);
          idles.push(idleMs);
        }
        feedback.push({ at: t + 1, waitedMs, idleMs });
      }
    }
  }
  return { sent, started, waits, idles };
}

const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

void test('one lane: one frame per model time, little waiting, a busy model', () => {
  const r = simulate(30, 100);
  assert.ok(r.sent <= r.started + 3, `sent ${r.sent}, stylized ${r.started}: frames sent for nothing`);
  assert.ok(r.started >= 45, `only ${r.started} frames in 5 s at 100 ms each`);
  assert.ok(mean(r.waits) < 15, `frames waited ${mean(r.waits).toFixed(1)} ms on average`);
  assert.ok(mean(r.idles) < 10, `the lane idled ${mean(r.idles).toFixed(1)} ms per frame`);
});

void test('the lead adapts to a long trip (WebRTC) and to a short one', () => {
  for (const trip of [5, 60]) {
    const r = simulate(trip, 80);
    assert.ok(mean(r.waits) < 15 && mean(r.idles) < 10, `trip ${trip}: wait ${mean(r.waits).toFixed(1)} idle ${mean(r.idles).toFixed(1)}`);
  }
});

void test('two lanes are both kept busy', () => {
  const r = simulate(20, 160, 2);
  assert.ok(r.started >= 55, `only ${r.started} frames in 5 s over two 160 ms lanes`);
  assert.ok(r.sent <= r.started + 4, `sent ${r.sent}, stylized ${r.started}`);
});

void test('a lost frame does not stall the sender (watchdog)', () => {
  const pacer = new SendPacer({ initialLeadMs: 10 });
  assert.equal(pacer.shouldSend(0), true);
  pacer.onSent(0);
  assert.equal(pacer.shouldSend(100), false, 'one frame in flight on one lane');
  assert.equal(pacer.shouldSend(400), false);
  assert.equal(pacer.shouldSend(600), true, 'no feedback for 500 ms: send again');
});

void test('feedback schedules the next send one model time after the lane took a frame, minus the lead', () => {
  const pacer = new SendPacer({ initialLeadMs: 20, targetWaitMs: 5, gain: 0.5 });
  pacer.onSent(0);
  pacer.onTook({ waitedMs: 5, idleMs: 0, modelMs: 100 }, 30);
  assert.equal(pacer.nextDueIn(30), 80);
  assert.equal(pacer.shouldSend(109), false);
  assert.equal(pacer.shouldSend(110), true);
  pacer.onSent(110);
  // It waited 25 ms: the lead shrinks by half the excess over the 5 ms target.
  pacer.onTook({ waitedMs: 25, idleMs: 0, modelMs: 100 }, 130);
  assert.equal(pacer.leadMs, 10);
  // The lane idled 30 ms: the lead grows by half of how late the frame was against the cushion,
  // which has grown with the arrivals' deviation (|25 - 5| then |-30 - 25|, smoothed by 1/16).
  const jitter = 20 / 16 + (55 - 20 / 16) / 16;
  pacer.onTook({ waitedMs: 0, idleMs: 30, modelMs: 100 }, 240);
  assert.ok(Math.abs(pacer.jitterMs - jitter) < 1e-9, `jitter ${pacer.jitterMs}`);
  assert.ok(Math.abs(pacer.cushionMs() - 2 * jitter) < 1e-9);
  assert.ok(Math.abs(pacer.leadMs - (10 + 0.5 * (30 + 2 * jitter))) < 1e-9, `lead ${pacer.leadMs}`);
});

void test('with a jittery trip the cushion grows and the model idles less than with a fixed 5 ms cushion', () => {
  // Trips of 30 ms ± 15 ms (uniform): a frame aimed 5 ms early is late about a third of the time.
  const run = (options: Partial<SendPacerOptions>): { wait: number; idle: number; started: number } => {
    const random = mulberry32(7);
    const r = simulate(() => 30 + 30 * (random() - 0.5), 100, 1, 20_000, options);
    return { wait: mean(r.waits), idle: mean(r.idles), started: r.started };
  };
  const fixed = run({ jitterFactor: 0 });
  const adaptive = run({});
  assert.ok(adaptive.idle < fixed.idle / 2, `idle per frame: adaptive ${adaptive.idle.toFixed(2)} ms, fixed ${fixed.idle.toFixed(2)} ms`);
  assert.ok(adaptive.started > fixed.started, `frames: adaptive ${adaptive.started}, fixed ${fixed.started}`);
  // The price is bounded: the cushion is at most 10% of the model's 100 ms.
  assert.ok(adaptive.wait < 10 + 15, `adaptive frames waited ${adaptive.wait.toFixed(1)} ms on average`);
});

void test('the cushion is capped at a share of the model time and in ms', () => {
  const pacer = new SendPacer({ initialLeadMs: 10, maxCushionShare: 0.1, maxCushionMs: 25 });
  let early = 0;
  for (let i = 0; i < 200; i++) {
    early = early === 0 ? 80 : 0; // wildly jittery arrivals
    pacer.onTook({ waitedMs: early, idleMs: 0, modelMs: 50 }, i * 50);
  }
  assert.ok(pacer.jitterMs > 40, `jitter ${pacer.jitterMs}`);
  assert.equal(pacer.cushionMs(), 5, 'max(5 ms, min(2 × jitter, 10% of 50 ms, 25 ms))');
  pacer.onTook({ waitedMs: 80, idleMs: 0, modelMs: 1000 }, 10_000);
  assert.equal(pacer.cushionMs(), 25, 'a slow model: the 25 ms cap');
});
