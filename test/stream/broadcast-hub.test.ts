import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BroadcastHub, fitSize } from '../../src/stream/broadcast-hub.js';
import { decodeFrameMessage } from '../../src/stream/frame-header.js';
// The random-weight model and still-picture clip the e2e tests use.
import { createLiveFixture } from '../e2e/live-fixtures.js';

void test('fitSize keeps the aspect, caps the longer side and makes both sides even', () => {
  assert.deepEqual(fitSize(1920, 1080, 360), { width: 360, height: 202 });
  assert.deepEqual(fitSize(1080, 1920, 360), { width: 202, height: 360 });
  assert.deepEqual(fitSize(320, 240, 360), { width: 320, height: 240 }, 'never upscales');
  assert.deepEqual(fitSize(321, 241, 1000), { width: 322, height: 242 });
});

void test('a slow viewer is skipped while the others get every stylized frame (real ffmpeg and ONNX Runtime)', async () => {
  const fx = await createLiveFixture();
  const stylizer = await fx.openStylizer(fx.modelDir);
  const hub = new BroadcastHub({ source: fx.y4m, maxSide: 160, getStylizer: () => Promise.resolve(stylizer), bufferedThresholdBytes: 1000 });
  try {
    const fast = { sent: 0, skipped: 0, ids: [] as number[] };
    const slow = { sent: 0, skipped: 0 };
    const rtc = { sent: 0, width: 0 };
    hub.add({
      bufferedAmount: () => 0,
      sendMessage: (m) => fast.ids.push(decodeFrameMessage(m)?.header.frameId ?? -1),
      onSent: () => fast.sent++,
      onSkipped: () => fast.skipped++,
    });
    hub.add({
      bufferedAmount: () => 5000, // never drains
      sendMessage: () => assert.fail('a viewer past the threshold must not be sent to'),
      onSent: () => slow.sent++,
      onSkipped: () => slow.skipped++,
    });
    hub.add({
      sendI420: (f) => {
        rtc.width = f.width;
        assert.equal(f.data.length, (f.width * f.height * 3) / 2);
      },
      onSent: () => rtc.sent++,
      onSkipped: () => undefined,
    });
    await hub.prepare();
    hub.start();
    const deadline = Date.now() + 15_000;
    while (fast.sent < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(fast.sent >= 8, `fast viewer got ${fast.sent} frames`);
    assert.equal(fast.skipped, 0);
    assert.equal(slow.sent, 0);
    assert.ok(slow.skipped >= fast.sent - 1, `slow viewer skipped ${slow.skipped}`);
    assert.ok(rtc.sent >= fast.sent - 1);
    assert.equal(rtc.width, 160);
    assert.deepEqual(fast.ids, [...fast.ids].sort((a, b) => a - b), 'frames in order');
    assert.ok(hub.counters.stylized <= hub.counters.decoded);
    assert.ok(Math.abs(hub.counters.stylized - fast.sent) <= 1, 'one inference per frame sent');
  } finally {
    await hub.close();
    await hub.close();
    await stylizer.close();
    await fx.cleanup();
  }
});
