/**
 * The live server's doors: token, Origin, size and count limits, malformed messages and a client
 * that vanishes mid-frame. Each gets its status or close code, and afterwards a well-behaved client
 * still gets stylized frames back.
 */
import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import WebSocket from 'ws';
import { decodeFrameMessage, encodeFrameMessage } from '../../src/stream/frame-header.js';
import { startLiveServer, type LiveServer } from '../../src/stream/live-server.js';
import { CAM_H, CAM_W, createLiveFixture, waitFor, type LiveFixture } from './live-fixtures.js';

let fx: LiveFixture;
let server: LiveServer;
let jpeg: Uint8Array;

before(async () => {
  fx = await createLiveFixture();
  server = await startLiveServer({
    port: 0,
    modelsDir: fx.modelsDir,
    openStylizer: fx.openStylizer,
    maxPayloadBytes: 256 * 1024,
    maxSessions: 4,
    maxConnectionsPerAddress: 3,
    allowOrigins: ['http://allowed.test:1234'],
  });
  jpeg = new Uint8Array(await sharp(fx.picture, { raw: { width: CAM_W, height: CAM_H, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
});

after(async () => {
  await server?.close();
  await fx?.cleanup();
});

const wsUrl = (token: string | null): string => `${server.url.replace('http', 'ws')}ws${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;

/** Resolves with the HTTP status of a refused upgrade, or 101 when it opened. */
function upgradeStatus(url: string, headers: Record<string, string> = {}, localAddress?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, ...(localAddress ? { localAddress } : {}) });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err) => {
      if (!String(err.message).startsWith('Unexpected server response')) reject(err);
    });
  });
}

function open(headers: Record<string, string> = {}, localAddress?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(server.token), { headers, ...(localAddress ? { localAddress } : {}) });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve(-1);
    ws.once('close', (code) => resolve(code));
  });
}

function helloReady(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.on('message', function onMessage(data, isBinary) {
      if (isBinary) return;
      const m = JSON.parse(String(data)) as { type: string };
      if (m.type === 'ready') {
        ws.off('message', onMessage);
        resolve();
      }
    });
    ws.once('close', (code) => reject(new Error(`closed ${code} before ready`)));
    ws.send(JSON.stringify({ type: 'hello', transport: 'ws', mode: 'live' }));
  });
}

/** A full live round trip: one frame out, its stylized frame back with the same id. */
async function roundTrip(frameId: number): Promise<{ width: number; height: number; frameId: number }> {
  const ws = await open();
  try {
    await helloReady(ws);
    const reply = new Promise<{ width: number; height: number; frameId: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no stylized frame within 15 s')), 15_000);
      ws.on('message', (data, isBinary) => {
        if (!isBinary) return;
        const parsed = decodeFrameMessage(new Uint8Array(data as Buffer));
        if (!parsed) return;
        clearTimeout(timer);
        resolve(parsed.header);
      });
    });
    ws.send(encodeFrameMessage({ codec: 'jpeg', frameId, captureTs: Date.now(), width: CAM_W, height: CAM_H, modelUs: 0 }, jpeg));
    return await reply;
  } finally {
    ws.close();
  }
}

void test('a well-behaved WebSocket client gets its frame back stylized', async () => {
  const header = await roundTrip(41);
  assert.deepEqual({ ...header }, { ...header, width: CAM_W, height: CAM_H, frameId: 41 });
});

/** How many refusals of each kind the server counted since `before` (each test checks its own, whatever ran before it). */
function rejectedSince(before: Record<string, number>): Record<string, number> {
  const now = server.stats().rejected;
  return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

void test('no token or a wrong token is refused with 401 before the upgrade', async () => {
  const before = server.stats().rejected;
  assert.equal(await upgradeStatus(wsUrl(null)), 401);
  assert.equal(await upgradeStatus(wsUrl('wrong-token-wrong-token')), 401);
  assert.equal(await upgradeStatus(wsUrl(server.token.slice(0, -1))), 401);
  assert.equal(rejectedSince(before).token, 3, 'counted in /api/stats');
  const res = await fetch(`${server.url}api/stats`);
  assert.equal(res.status, 401, 'the stats API needs the token too');
  assert.equal((await fetch(`${server.url}api/health`)).status, 200);
});

void test('a foreign Origin is refused with 403; the own and listed origins are admitted', async () => {
  const before = server.stats().rejected;
  assert.equal(await upgradeStatus(wsUrl(server.token), { Origin: 'https://evil.example' }), 403);
  assert.equal(rejectedSince(before).origin, 1, 'counted in /api/stats');
  assert.equal(await upgradeStatus(wsUrl(server.token), { Origin: server.url.replace(/\/$/, '') }), 101);
  assert.equal(await upgradeStatus(wsUrl(server.token), { Origin: 'http://allowed.test:1234' }), 101);
});

void test('an oversized message closes with 1009', async () => {
  const before = server.stats().rejected;
  const ws = await open();
  await helloReady(ws);
  const closed = closeCode(ws);
  ws.send(new Uint8Array(300 * 1024));
  assert.equal(await closed, 1009);
  await waitFor('the oversized message to be counted', () => rejectedSince(before).oversized === 1, 5000, 10);
});

void test('garbage closes with 1007, an unknown message type with 1003', async () => {
  const before = server.stats().rejected;
  let ws = await open();
  let closed = closeCode(ws);
  ws.send('{not json');
  assert.equal(await closed, 1007);

  ws = await open();
  closed = closeCode(ws);
  ws.send(JSON.stringify({ type: 'format-disk' }));
  assert.equal(await closed, 1003);

  ws = await open();
  closed = closeCode(ws);
  ws.send(JSON.stringify({ type: 'hello', transport: 'ws', mode: 'live', model: '../../../etc' }));
  assert.equal(await closed, 1008, 'a model that is not listed');

  ws = await open();
  await helloReady(ws);
  closed = closeCode(ws);
  ws.send(JSON.stringify({ type: 'model', model: 'default' }));
  ws.send(JSON.stringify({ type: 'model', model: '/etc' }));
  assert.equal(await closed, 1008, 'switching to a model that is not listed');

  ws = await open();
  await helloReady(ws);
  closed = closeCode(ws);
  ws.send(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26]));
  assert.equal(await closed, 1007, 'binary frame with a bad header');
  assert.ok((rejectedSince(before).malformed ?? 0) >= 3, JSON.stringify(rejectedSince(before)));
});

void test('session and per-address caps answer 429 / 503 and free up when clients leave', async () => {
  const held = [await open(), await open(), await open()];
  assert.equal(await upgradeStatus(wsUrl(server.token)), 429, 'a 4th socket from one address');
  // Other loopback source addresses (127.0.0.0/8 is all this machine) fill the session cap.
  held.push(await open({}, '127.0.0.2'));
  assert.equal(await upgradeStatus(wsUrl(server.token), {}, '127.0.0.3'), 503, 'a 5th session');
  await Promise.all(held.map(async (ws) => {
    const c = closeCode(ws);
    ws.close();
    await c;
  }));
  // Once the server has seen the closes, a socket is admitted again.
  assert.equal(await waitFor('a socket to be admitted again', async () => ((await upgradeStatus(wsUrl(server.token))) === 101 ? 101 : null), 5000, 20), 101);
});

void test('a client that disconnects in the middle of a frame leaves the server serving others', async () => {
  const ws = await open();
  await helloReady(ws);
  // Write half of a binary WebSocket frame on the raw TCP socket, then cut it.
  const raw = (ws as unknown as { _socket: net.Socket })._socket;
  const payload = encodeFrameMessage({ codec: 'jpeg', frameId: 1, captureTs: Date.now(), width: CAM_W, height: CAM_H, modelUs: 0 }, jpeg);
  const header = Buffer.alloc(14);
  header[0] = 0x82; // FIN + binary
  header[1] = 0x80 | 127; // masked, 64-bit length
  header.writeBigUInt64BE(BigInt(payload.length), 2);
  header.writeUInt32BE(0x01020304, 10); // mask key
  raw.write(header);
  raw.write(payload.subarray(0, payload.length >> 1));
  raw.destroy();
  await waitFor('the vanished session to be freed', async () => server.stats().sessions.length === 0, 5000, 20);
  const reply = await roundTrip(7);
  assert.equal(reply.frameId, 7);
  // The refusal counters are checked by the tests that cause them (rejectedSince), so that no test
  // depends on which ran before it.
});

void test('a client that goes silent (no pongs) is cut by the heartbeat and its session freed', async () => {
  const quick = await startLiveServer({ port: 0, modelsDir: fx.modelsDir, openStylizer: fx.openStylizer, heartbeatMs: 150, webrtc: false });
  try {
    const ws = new WebSocket(`${quick.url.replace('http', 'ws')}ws?token=${quick.token}`, { autoPong: false });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    await helloReady(ws);
    assert.equal(quick.stats().sessions.length, 1);
    const code = await closeCode(ws);
    assert.equal(code, 1006, 'terminated without a close frame');
    await waitFor('the session to be freed', async () => quick.stats().sessions.length === 0, 5000, 20);
  } finally {
    await quick.close();
  }
});
