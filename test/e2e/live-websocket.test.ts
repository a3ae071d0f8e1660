/**
 * The live filter over the WebSocket fallback (JPEG frames) in real headless Chromium: the fake camera (a still test picture) goes
 * to the server, comes back stylized, and the received pixels match running the same model on the
 * camera picture (within codec tolerance) while differing strongly from the picture itself.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startLiveServer } from '../../src/stream/live-server.js';
import { CAM_H, CAM_W, checkSessionMatchesModel, startLiveE2e, viewerStats, waitFor, type LiveE2e } from './live-fixtures.js';

let e2e: LiveE2e;

before(async () => {
  e2e = await startLiveE2e();
});

after(async () => {
  await e2e?.close();
});

void test('a WebSocket session receives stylized frames that match the model', async () => {
  await checkSessionMatchesModel(e2e, 'ws');
});

void test('a server without WebRTC makes the viewer fall back to WebSocket frames on its own', async () => {
  const plain = await startLiveServer({ port: 0, modelsDir: e2e.fx.modelsDir, openStylizer: e2e.fx.openStylizer, webrtc: false, targetFps: 0 });
  try {
    const page = await e2e.browser.newPage();
    await page.goto(`${plain.viewerUrl}&w=${CAM_W}&h=${CAM_H}&fps=15&autostart=1`);
    const stats = await waitFor('3 stylized frames', async () => {
      const s = await viewerStats(page);
      return s.framesOut >= 3 ? s : null;
    });
    assert.equal(stats.transport, 'ws');
    await page.close();
  } finally {
    await plain.close();
  }
});

void test('the page says to press "Start camera" until then, and shows the achieved frame rate once frames arrive', async () => {
  const page = await e2e.browser.newPage();
  try {
    await page.goto(`${e2e.server.viewerUrl}&transport=ws&w=${CAM_W}&h=${CAM_H}&fps=15`);
    await waitFor('the ready hint', async () => /press “Start camera”/.test((await page.textContent('#status')) ?? ''), 10_000, 50);
    await page.click('#start');
    const fps = await waitFor('an achieved frame rate', async () => {
      const overlay = (await page.textContent('#overlay')) ?? '';
      const m = /^(\d+\.\d) fps/m.exec(overlay);
      return m && Number(m[1]) > 0 ? Number(m[1]) : null;
    });
    // Each camera frame is sent at most once, so the shown rate cannot beat the camera's 15 fps
    // (give or take one frame in the half-second window the page averages over at first).
    assert.ok(fps > 0 && fps <= 15 * 1.5, `${fps} fps`);
  } finally {
    await page.close();
  }
});
