/** Start-up checks of the live server (real ffprobe; no browser). */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { JapananimeError, UsageError } from '../../src/errors.js';
import { startLiveServer } from '../../src/stream/live-server.js';

const noStylizer = (): Promise<never> => Promise.reject(new Error('not used'));

void test('a missing or undecodable --source fails at start with a typed error', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'japananime-serve-'));
  try {
    await assert.rejects(startLiveServer({ port: 0, source: path.join(dir, 'nope.mp4'), openStylizer: noStylizer, webrtc: false }), UsageError);
    const junk = path.join(dir, 'junk.mp4');
    await writeFile(junk, 'this is not a video');
    await assert.rejects(startLiveServer({ port: 0, source: junk, openStylizer: noStylizer, webrtc: false }), (err: unknown) => err instanceof JapananimeError && err.code !== 'E_USAGE');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('a short token is refused; the server binds loopback and serves the viewer and health', async () => {
  await assert.rejects(startLiveServer({ port: 0, token: 'short', openStylizer: noStylizer }), UsageError);
  const modelsDir = await mkdtemp(path.join(tmpdir(), 'japananime-models-'));
  const server = await startLiveServer({ port: 0, openStylizer: noStylizer, webrtc: false, modelsDir });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(server.viewerUrl, `${server.url}?token=${encodeURIComponent(server.token)}`);
    const page = await fetch(server.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /JapananimeGAN live/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal((await fetch(`${server.url}..%2F..%2Fpackage.json`)).status === 200, false, 'no path traversal');
    const models = await fetch(`${server.url}api/models?token=${server.token}`);
    assert.equal(models.status, 200);
    assert.deepEqual(await models.json(), { default: 'default', models: ['default'], broadcast: false, webrtc: false });
  } finally {
    await server.close();
    await server.close(); // idempotent
    await rm(modelsDir, { recursive: true, force: true });
  }
});

void test('/api/stats reports the adaptive model size (target 15 fps and its floor by default; null with --target-fps 0)', async () => {
  const modelsDir = await mkdtemp(path.join(tmpdir(), 'japananime-models-'));
  const on = await startLiveServer({ port: 0, openStylizer: noStylizer, webrtc: false, modelsDir });
  const off = await startLiveServer({ port: 0, openStylizer: noStylizer, webrtc: false, modelsDir, targetFps: 0 });
  try {
    const stats = (await (await fetch(`${on.url}api/stats?token=${on.token}`)).json()) as { adaptive: Record<string, unknown> | null };
    assert.deepEqual(stats.adaptive, { targetFps: 15, minSide: 144, maxSide: 1280, side: 360, lastSize: null, frameMs: null, achievedFps: null });
    assert.deepEqual(on.stats().adaptive?.targetFps, 15);
    assert.equal(off.stats().adaptive, null);
  } finally {
    await on.close();
    await off.close();
    await rm(modelsDir, { recursive: true, force: true });
  }
});
