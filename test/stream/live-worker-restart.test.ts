/**
 * The live server keeps serving when an inference worker dies mid-session (real ONNX Runtime in a
 * supervised worker thread, a real WebSocket client): the worker is killed through the stylizer's
 * test hook while frames flow, and stylized frames flow again within seconds, with the restart
 * counted in /api/stats.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import WebSocket from 'ws';
import { createThreadedStylizer, threadedStylizerTestHooks, type SupervisedStylizer } from '../../src/engine/threaded-stylizer.js';
import { decodeFrameMessage, encodeFrameMessage } from '../../src/stream/frame-header.js';
import { startLiveServer, type LiveServer, type ServerStats } from '../../src/stream/live-server.js';
import { CAM_H, CAM_W, createLiveFixture, waitFor, type LiveFixture } from '../e2e/live-fixtures.js';

let fx: LiveFixture;
let server: LiveServer;
let opened: SupervisedStylizer | undefined;

before(async () => {
  fx = await createLiveFixture();
  server = await startLiveServer({
    port: 0,
    modelsDir: fx.modelsDir,
    webrtc: false,
    openStylizer: async (m) => (opened = await createThreadedStylizer({ model: m, threads: 1, restartDelayMs: 50 })),
  });
});

after(async () => {
  await server?.close();
  await fx?.cleanup();
});

void test('an inference worker killed mid-session is restarted and frames flow again, the restart counted in /api/stats', async () => {
  const jpeg = new Uint8Array(await sharp(fx.picture, { raw: { width: CAM_W, height: CAM_H, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}ws?token=${encodeURIComponent(server.token)}`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let received = 0;
  let ready = false;
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      if ((JSON.parse(String(data)) as { type: string }).type === 'ready') ready = true;
      return;
    }
    if (decodeFrameMessage(new Uint8Array(data as Buffer))) received += 1;
  });
  ws.send(JSON.stringify({ type: 'hello', transport: 'ws', mode: 'live' }));
  await waitFor('ready', async () => ready, 10_000, 10);
  // A camera at ~20 fps: the newest frame wins, so frames keep arriving whatever the model's speed.
  let frameId = 0;
  const camera = setInterval(() => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrameMessage({ codec: 'jpeg', frameId: frameId++, captureTs: Date.now(), width: CAM_W, height: CAM_H, modelUs: 0 }, jpeg));
  }, 50);
  try {
    await waitFor('3 stylized frames', async () => received >= 3, 15_000, 10);
    const stats = async (): Promise<ServerStats> => (await (await fetch(`${server.url}api/stats?token=${server.token}`)).json()) as ServerStats;
    assert.equal((await stats()).inference.restarts, 0);
    assert.ok(opened);
    threadedStylizerTestHooks(opened)!.crashWorker(0);
    const atKill = received;
    await waitFor('3 more stylized frames after the worker died', async () => received >= atKill + 3, 10_000, 10);
    assert.equal((await stats()).inference.restarts, 1);
    assert.equal(ws.readyState, ws.OPEN, 'the session survived');
  } finally {
    clearInterval(camera);
    ws.close();
  }
});
