/** bench/live-bench.ts: its flags and the pure arithmetic behind its rows (the measurement itself needs Chromium and minutes). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combineModelOnly, formatLiveTable, interleaved, parseLiveBenchArgs, ratiosAgainstFirst, withVerdicts, type LiveRow } from '../../bench/live-bench.js';

void test('flags: the old single size and defaults still parse; sizes, models, --int8 and --target-fps are new', () => {
  const plain = parseLiveBenchArgs([]);
  assert.deepEqual(plain.sizes, [{ width: 480, height: 360 }]);
  assert.deepEqual(plain.transports, ['webrtc', 'ws']);
  assert.equal(plain.targetFps, 0);
  assert.equal(plain.split, false);
  const a = parseLiveBenchArgs(['--model', 'models/default', '--int8', '--size', '256x256,640x360', '--split', '--target-fps', '15', '--seconds', '3', '--transport', 'ws']);
  assert.deepEqual(a.models, ['models/default']);
  assert.equal(a.int8, true);
  assert.deepEqual(a.sizes, [{ width: 256, height: 256 }, { width: 640, height: 360 }]);
  assert.deepEqual(a.transports, ['ws']);
  assert.equal(a.targetFps, 15);
  assert.equal(a.seconds, 3);
  assert.throws(() => parseLiveBenchArgs(['--size', '640']), /--size must look like 480x360/);
  assert.throws(() => parseLiveBenchArgs(['--workers', '0']), /--workers must be a whole number ≥ 1/);
  assert.throws(() => parseLiveBenchArgs(['--transport', 'carrier-pigeon']), /--transport/);
});

void test('interleaved: every second cell runs the models in the other order (ABBA)', () => {
  assert.deepEqual([0, 1, 2, 3].map((cell) => interleaved(['fp32', 'int8'], cell).join(' ')), ['fp32 int8', 'int8 fp32', 'fp32 int8', 'int8 fp32']);
});

void test('combineModelOnly: all frames over all seconds, median of every frame time', () => {
  assert.deepEqual(combineModelOnly([{ frames: 10, seconds: 2, times: [100, 300] }, { frames: 20, seconds: 2, times: [200] }]), { ms: 200, fps: 7.5 });
  assert.deepEqual(combineModelOnly([]), { ms: 0, fps: 0 });
});

const live = (model: string, outputFps: number, latency: number | null, size = '256x256'): LiveRow => ({
  model, precision: model.endsWith('int8') ? 'int8' : 'fp32', transport: 'ws', size, outputFps, droppedFraction: 0, latencyMedianMs: latency, latencyP95Ms: latency,
  latencyMethod: '', sessionModelMs: null, serverMs: null, adaptiveSize: null, adaptiveFps: null, cpuServer: null, cpuBrowser: null, cpuOther: null,
});

void test('verdicts: the fps bar is the better model-only rate (capped at the camera), or the target when the server adapts', () => {
  const own = { ms: 100, fps: 10 };
  const reference = { ms: 80, fps: 12 };
  // 0.9 × 12 = 10.8 fps; latency budget 80 + 100 ms.
  assert.equal(withVerdicts(live('a', 10.9, 180), own, reference, 0).fpsTargetMet, true);
  assert.equal(withVerdicts(live('a', 10.7, 180), own, reference, 0).fpsTargetMet, false);
  assert.equal(withVerdicts(live('a', 10.9, 181), own, reference, 0).latencyTargetMet, false);
  // With --target-fps 15 the bar is 13.5, whatever the model-only rate at the camera size.
  assert.equal(withVerdicts(live('a', 13.4, 100), own, reference, 15).fpsTargetMet, false);
  assert.equal(withVerdicts(live('a', 13.6, 100), own, reference, 15).fpsTargetMet, true);
});

void test('ratiosAgainstFirst: each later model against the first, per size and transport, and the table prints them', () => {
  const only = { ms: 100, fps: 10 };
  const rows = [
    withVerdicts(live('default', 5, 400), only, only, 0),
    withVerdicts(live('default-int8', 8, 300), { ms: 50, fps: 20 }, only, 0),
    withVerdicts(live('default', 2, 800, '640x360'), only, only, 0),
  ];
  const ratios = ratiosAgainstFirst(rows, ['default', 'default-int8']);
  // 640x360 has no int8 row: no ratio rather than a made-up one.
  assert.deepEqual(ratios, [{ model: 'default-int8', baseline: 'default', transport: 'ws', size: '256x256', outputFps: 1.6, latency: 0.75, modelOnlyFps: 2 }]);
  const table = formatLiveTable(rows, ratios);
  assert.match(table, /^model\s+precision\s+transport\s+size\s+out fps/);
  assert.match(table, /default-int8\s+int8\s+ws\s+256x256\s+8\.0/);
  assert.match(table, /default-int8\s+default\s+ws\s+256x256\s+1\.60x\s+0\.75x\s+2\.00x/);
});
