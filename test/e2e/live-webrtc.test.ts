/**
 * The live filter over WebRTC in real headless Chromium: the fake camera (a still test picture) goes
 * to the server, comes back stylized, and the received pixels match running the same model on the
 * camera picture (within codec tolerance) while differing strongly from the picture itself; with
 * stamped frame numbers, the page measures the latency of every frame.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readStamp, STAMP_CELL, STAMP_HEIGHT, STAMP_WIDTH, stampBits } from '../../src/stream/frame-stamp.js';
import { blockMeans, checkSessionMatchesModel, launchChromium, meanAbsDiff, startLiveE2e, testPicture, viewerGrab, viewerStats, waitFor, writeStillY4m, type LiveE2e } from './live-fixtures.js';

let e2e: LiveE2e;

before(async () => {
  e2e = await startLiveE2e();
});

after(async () => {
  await e2e?.close();
});

void test('a WebRTC session receives stylized frames that match the model', async () => {
  await checkSessionMatchesModel(e2e, 'webrtc');
});

void test('with stamp=1 the server copies each frame number into its stylized frame and the page measures every frame', async () => {
  // A camera wide enough for the stamp strip (192 px); its own browser, as the fake camera is per launch.
  const w = 256;
  const h = 192;
  const y4m = path.join(e2e.fx.dir, 'wide.y4m');
  await writeStillY4m(y4m, testPicture(w, h), w, h);
  const browser = await launchChromium(y4m);
  try {
    const page = await browser.newPage();
    await page.goto(`${e2e.server.viewerUrl}&transport=webrtc&w=${w}&h=${h}&fps=15&autostart=1&stamp=1`);
    const latencies = await waitFor(
      '8 stamped frames measured',
      async () => {
        const l = await page.evaluate(() => (globalThis as unknown as { japananime: { latencies(): number[] } }).japananime.latencies());
        return l.length >= 8 ? l : null;
      },
      30_000,
    );
    // Per-frame figures on the page's own clock: at least a model run, far from the 1 s watchdog.
    for (const ms of latencies) assert.ok(ms > 1 && ms < 3000, `latency ${ms}`);
    // framesOut is refreshed every 200 ms.
    const stats = await waitFor('the frame count', async () => {
      const s = await viewerStats(page);
      return s.framesOut >= 8 ? s : null;
    });
    assert.ok(stats.dropped <= stats.framesOut, `dropped ${stats.dropped} of ${stats.framesOut}`);
    // The shown frame's top-left strip is the stamp: black and white cells, not stylized pixels.
    const grab = await viewerGrab(page, w, h);
    assert.ok(grab.stylized);
    const rgb = grab.stylized.rgb;
    let binary = 0;
    for (let x = 2; x < STAMP_WIDTH; x += STAMP_CELL) {
      const v = rgb[(4 * w + x + 2) * 3 + 1] as number;
      if (v < 60 || v > 195) binary++;
    }
    assert.ok(binary >= 22, `only ${binary} of 24 stamp cells are black or white`);
    // Below the strip the frame is still the model's output (the server runs only the stamp copy there).
    // The model saw the camera picture with a stamp in its corner, and a stamp moves the instance-norm
    // statistics and everything within the receptive field: the reference is that stamped picture's.
    const shownNumber = readStamp((x, y) => rgb[(y * w + x) * 3 + 1] as number);
    assert.ok(shownNumber !== null, 'the shown frame carries a readable stamp');
    const stamped = testPicture(w, h);
    stampBits(shownNumber).forEach((bit, c) => {
      for (let y = 0; y < STAMP_HEIGHT; y++) stamped.fill(bit ? 255 : 0, (y * w + c * STAMP_CELL) * 3, (y * w + (c + 1) * STAMP_CELL) * 3);
    });
    const [expected] = await e2e.reference.run([{ data: stamped, width: w, height: h, pts: 0, index: 0 }]);
    assert.ok(expected);
    const rows = (a: ArrayLike<number>): number[] => Array.from(a).slice(16 * w * 3);
    const toModel = meanAbsDiff(blockMeans(rows(rgb), w, h - 16), blockMeans(rows(expected.data), w, h - 16));
    assert.ok(toModel < 12, `stylized frame is ${toModel.toFixed(1)} levels from the model's output`);
    await page.close();
  } finally {
    await browser.close();
  }
});
