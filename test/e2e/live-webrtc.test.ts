/**
 * The live filter over WebRTC in real headless Chromium: the fake camera (a still test picture) goes
 * to the server, comes back stylized, and the received pixels match running the same model on the
 * camera picture (within codec tolerance) while differing strongly from the picture itself.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Stylizer } from '../../src/engine/stylizer.js';
import { startLiveServer, type LiveServer } from '../../src/stream/live-server.js';
import { blockMeans, CAM_H, CAM_W, createLiveFixture, launchChromium, meanAbsDiff, viewerGrab, viewerStats, waitFor, type LiveFixture } from './live-fixtures.js';

let fx: LiveFixture;
let server: LiveServer;
let browser: Browser;
let reference: Stylizer;

before(async () => {
  fx = await createLiveFixture();
  server = await startLiveServer({ port: 0, modelsDir: fx.modelsDir, openStylizer: fx.openStylizer });
  browser = await launchChromium(fx.y4m);
  reference = await fx.openStylizer(fx.modelDir);
});

after(async () => {
  await browser?.close();
  await server?.close();
  await reference?.close();
  await fx?.cleanup();
});

void test('a WebRTC session receives stylized frames that match the model', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.viewerUrl}&transport=webrtc&w=${CAM_W}&h=${CAM_H}&fps=15&autostart=1`);
  const stats = await waitFor('10 stylized frames', async () => {
    const s = await viewerStats(page);
    return s.framesOut >= 10 ? s : null;
  });
  assert.equal(stats.transport, 'webrtc');
  assert.ok(stats.framesIn >= stats.framesOut - 2, `framesIn ${stats.framesIn} framesOut ${stats.framesOut}`);
  const grab = await viewerGrab(page);
  assert.ok(grab.stylized && grab.original);
  const [expected] = await reference.run([{ data: fx.picture, width: CAM_W, height: CAM_H, pts: 0, index: 0 }]);
  assert.ok(expected);
  const got = blockMeans(grab.stylized.rgb, CAM_W, CAM_H);
  const toModel = meanAbsDiff(got, blockMeans(expected.data, CAM_W, CAM_H));
  const toCamera = meanAbsDiff(got, blockMeans(fx.picture, CAM_W, CAM_H));
  assert.ok(toModel < 12, `stylized frame is ${toModel.toFixed(1)} levels from the model's output`);
  assert.ok(toCamera > 25, `stylized frame is only ${toCamera.toFixed(1)} levels from the camera picture`);

  // The server's JSON API reports the session while it runs.
  const res = await fetch(`${server.url}api/stats?token=${server.token}`);
  const body = (await res.json()) as { sessions: { transport: string; framesOut: number; modelMs: number | null }[] };
  assert.equal(body.sessions.length, 1);
  assert.equal(body.sessions[0]?.transport, 'webrtc');
  assert.ok((body.sessions[0]?.framesOut ?? 0) >= 10);
  assert.ok((body.sessions[0]?.modelMs ?? 0) > 0);
  const latency = await waitFor('a latency figure', async () => (await viewerStats(page)).latencyMs);
  assert.ok(latency > 0 && latency < 5000, `latency ${latency}`);

  // The browser vanishes without a goodbye: the session and its peer connection are freed.
  await page.close();
  await waitFor('the session to be freed', async () => server.stats().sessions.length === 0, 20_000);
});
