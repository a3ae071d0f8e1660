/**
 * Broadcast mode: the server decodes a looping clip with ffmpeg, stylizes each frame once, and three
 * Chromium viewers (two over WebSocket, one over WebRTC) all receive the model's output.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { blockMeans, CAM_H, CAM_W, meanAbsDiff, startLiveE2e, viewerGrab, viewerStats, waitFor, type LiveE2e } from './live-fixtures.js';

let e2e: LiveE2e;

before(async () => {
  // The still-picture Y4M doubles as the broadcast clip (ffmpeg reads it; no encoder needed).
  e2e = await startLiveE2e({ server: (fx) => ({ source: fx.y4m, broadcastMaxSide: 160 }), camera: false });
});

after(async () => {
  await e2e?.close();
});

void test('three viewers share one inference per frame and all see the stylized clip', async () => {
  const { fx, server, browser, reference } = e2e;
  const pages: Page[] = [];
  for (const transport of ['ws', 'ws', 'webrtc']) {
    const page = await browser.newPage();
    await page.goto(`${server.viewerUrl}&transport=${transport}&autostart=1`);
    pages.push(page);
  }
  for (const page of pages) {
    await waitFor('5 frames on every viewer', async () => (await viewerStats(page)).framesOut >= 5, 20_000);
  }
  const transports = await Promise.all(pages.map(async (p) => (await viewerStats(p)).transport));
  assert.deepEqual(transports, ['ws', 'ws', 'webrtc']);

  const [expected] = await reference.run([{ data: fx.picture, width: CAM_W, height: CAM_H, pts: 0, index: 0 }]);
  assert.ok(expected);
  const want = blockMeans(expected.data, CAM_W, CAM_H);
  for (const page of pages) {
    const { stylized } = await viewerGrab(page);
    assert.ok(stylized);
    const d = meanAbsDiff(blockMeans(stylized.rgb, CAM_W, CAM_H), want);
    assert.ok(d < 12, `a viewer's frame is ${d.toFixed(1)} levels from the model's output`);
  }

  // Over one second with all three watching, each model run feeds every viewer.
  const before = server.stats();
  await new Promise((r) => setTimeout(r, 1000));
  const stats = server.stats();
  assert.ok(stats.broadcast && before.broadcast);
  assert.equal(stats.broadcast.viewers, 3);
  assert.equal(stats.sessions.length, 3);
  assert.ok(stats.sessions.every((s) => s.mode === 'broadcast'));
  const deliveredIn = (snap: typeof stats): number => snap.sessions.reduce((sum, s) => sum + s.framesOut, 0);
  const delivered = deliveredIn(stats) - deliveredIn(before);
  const stylized = stats.broadcast.stylized - before.broadcast.stylized;
  assert.ok(stylized > 0 && delivered >= 2.5 * stylized, `stylized ${stylized}, delivered ${delivered} in one second`);
  assert.ok(stats.broadcast.stylized <= stats.broadcast.decoded);

  await Promise.all(pages.map((p) => p.close()));
  await waitFor('all sessions freed', async () => server.stats().sessions.length === 0, 20_000);
});
