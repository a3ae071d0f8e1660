/**
 * Shared set-up of the live-filter end-to-end tests: a random-weight `fast` model package (the real
 * ONNX engine; random weights still transform pixels deterministically), a still test picture as a
 * Y4M fake camera, headless Chromium, and pixel comparisons.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createStylizer } from '../../src/engine/create-stylizer.js';
import type { Stylizer } from '../../src/engine/stylizer.js';
import { saveModelPackage } from '../../src/model/model-package.js';
import { initParams } from '../../src/model/params.js';
import { getArchitecture } from '../../src/model/spec.js';
import { rgb24ToI420 } from '../../src/stream/i420.js';
import { startLiveServer, type LiveServer, type LiveServerOptions } from '../../src/stream/live-server.js';
import { createThreadedStylizer } from '../../src/engine/threaded-stylizer.js';

export const CAM_W = 160;
export const CAM_H = 120;

/** A smooth, colourful still picture (gradients and a disc): survives VP8/JPEG with small error. */
export function testPicture(width = CAM_W, height = CAM_H): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inDisc = (x - width * 0.6) ** 2 + (y - height * 0.5) ** 2 < (height * 0.3) ** 2;
      rgb[i] = inDisc ? 220 : Math.round(40 + (170 * x) / width);
      rgb[i + 1] = inDisc ? 180 : Math.round(60 + (120 * y) / height);
      rgb[i + 2] = inDisc ? 60 : 150;
    }
  }
  return rgb;
}

/** Writes a Y4M clip of `frames` copies of one picture: Chromium's fake camera loops it. */
export async function writeStillY4m(file: string, rgb: Uint8Array, width = CAM_W, height = CAM_H, frames = 30): Promise<void> {
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), Buffer.from(rgb24ToI420(rgb, width, height))]);
  await writeFile(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}

export interface LiveFixture {
  dir: string;
  modelsDir: string;
  /** Folder of the random `fast` package ("default" in modelsDir). */
  modelDir: string;
  y4m: string;
  picture: Uint8Array;
  /** Opens a one-thread stylizer in a worker thread, as the server runs it (CI has 2 cores). */
  openStylizer: (modelDir: string) => Promise<Stylizer>;
  /** Opens a one-thread stylizer in this thread (the reference the tests compare with). */
  openReference: (modelDir: string) => Promise<Stylizer>;
  cleanup(): Promise<void>;
}

export async function createLiveFixture(): Promise<LiveFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'japananime-live-'));
  const modelsDir = path.join(dir, 'models');
  const modelDir = path.join(modelsDir, 'default');
  const spec = getArchitecture('fast');
  await saveModelPackage(modelDir, { spec, params: initParams(spec, 7), meta: { description: 'random weights for tests' } });
  const picture = testPicture();
  const y4m = path.join(dir, 'camera.y4m');
  await writeStillY4m(y4m, picture);
  return {
    dir,
    modelsDir,
    modelDir,
    y4m,
    picture,
    openStylizer: (m) => createThreadedStylizer({ model: m, engine: 'onnx', device: 'cpu', threads: 1 }),
    openReference: (m) => createStylizer({ model: m, engine: 'onnx', device: 'cpu', threads: 1 }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Headless Debian Chromium with a fake camera (never a downloaded browser). */
export function launchChromium(y4m?: string): Promise<Browser> {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    // Loopback ICE candidates keep all media on 127.0.0.1.
    '--allow-loopback-in-peer-connection',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (y4m) args.push(`--use-file-for-fake-video-capture=${y4m}`);
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args });
}

/** Mean absolute difference per channel value of two equal-size rgb arrays. */
export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`sizes differ: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / a.length;
}

import { waitFor } from '../wait-for.js';

export { waitFor };

/**
 * Block means (blockxblock, per channel) of an rgb image: compares what survives a lossy codec (the
 * low frequencies) and ignores the high-frequency texture a codec rewrites.
 */
export function blockMeans(rgb: ArrayLike<number>, width: number, height: number, block = 8): number[] {
  const bw = Math.floor(width / block);
  const bh = Math.floor(height / block);
  const out = new Array<number>(bw * bh * 3).fill(0);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let y = by * block; y < (by + 1) * block; y++) {
          for (let x = bx * block; x < (bx + 1) * block; x++) sum += rgb[(y * width + x) * 3 + c] as number;
        }
        out[(by * bw + bx) * 3 + c] = sum / (block * block);
      }
    }
  }
  return out;
}

/** What the web viewer exposes on `window.japananime` (the tests run without the DOM lib). */
export interface ViewerApi {
  stats(): { transport: 'webrtc' | 'ws' | null; framesIn: number; framesOut: number; dropped: number; latencyMs: number | null };
  grab(width?: number, height?: number): { original: { width: number; height: number; rgb: number[] } | null; stylized: { width: number; height: number; rgb: number[] } | null };
}

/** The viewer's stats, read in the page. */
export function viewerStats(page: Page): Promise<ReturnType<ViewerApi['stats']>> {
  return page.evaluate(() => (globalThis as unknown as { japananime: ViewerApi }).japananime.stats());
}

/**
 * The viewer's original and stylized pixels, read in the page and scaled to width×height (a WebRTC
 * encoder under CPU pressure may lower the resolution; the comparison is about content).
 */
export function viewerGrab(page: Page, width = CAM_W, height = CAM_H): Promise<ReturnType<ViewerApi['grab']>> {
  return page.evaluate(([w, h]) => (globalThis as unknown as { japananime: ViewerApi }).japananime.grab(w, h), [width, height] as const);
}

/** A running live server, Chromium and a reference Stylizer of the same model, for one test file. */
export interface LiveE2e {
  fx: LiveFixture;
  server: LiveServer;
  browser: Browser;
  reference: Stylizer;
  close(): Promise<void>;
}

/**
 * Starts what an e2e file needs. `server` adds server options (it may use the fixture's files);
 * `camera` (default true) feeds Chromium's fake camera the still test picture.
 */
export async function startLiveE2e(options: { server?: (fx: LiveFixture) => Partial<LiveServerOptions>; camera?: boolean } = {}): Promise<LiveE2e> {
  const fx = await createLiveFixture();
  // LIVE_E2E_LOG=1 prints the server's log (session opens and closes, broadcast errors) to stderr.
  const log = process.env.LIVE_E2E_LOG ? (line: string): void => void process.stderr.write(`[server] ${line}\n`) : undefined;
  // targetFps 0: frames are compared with the reference model at the camera's own size, so the
  // adaptive size (which may shrink them on a busy CI machine) is off here; its own tests cover it.
  const server = await startLiveServer({ port: 0, modelsDir: fx.modelsDir, openStylizer: fx.openStylizer, targetFps: 0, ...(log ? { log } : {}), ...options.server?.(fx) });
  const browser = await launchChromium(options.camera === false ? undefined : fx.y4m);
  const reference = await fx.openReference(fx.modelDir);
  return {
    fx,
    server,
    browser,
    reference,
    async close() {
      await browser.close();
      await server.close();
      await reference.close();
      await fx.cleanup();
    },
  };
}

/**
 * One viewer session over `transport`: at least 10 stylized frames arrive, their pixels match the
 * model's output on the camera picture (not the picture itself), /api/stats reports the session, a
 * latency figure appears, and closing the page without a goodbye frees the session.
 */
export async function checkSessionMatchesModel(e2e: LiveE2e, transport: 'webrtc' | 'ws'): Promise<void> {
  const { fx, server, browser, reference } = e2e;
  const page = await browser.newPage();
  await page.goto(`${server.viewerUrl}&transport=${transport}&w=${CAM_W}&h=${CAM_H}&fps=15&autostart=1`);
  const stats = await waitFor('10 stylized frames', async () => {
    const s = await viewerStats(page);
    return s.framesOut >= 10 ? s : null;
  });
  assert.equal(stats.transport, transport);
  assert.ok(stats.framesIn >= stats.framesOut - 2, `framesIn ${stats.framesIn} framesOut ${stats.framesOut}`);
  const grab = await viewerGrab(page);
  assert.ok(grab.stylized && grab.original);
  if (transport === 'ws') {
    // WebSocket frames come back at the camera's size (WebRTC's encoder may adapt it).
    const size = await page.$eval('#stylized-canvas', (el) => [(el as unknown as { width: number }).width, (el as unknown as { height: number }).height]);
    assert.deepEqual(size, [CAM_W, CAM_H]);
  }
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
  assert.equal(body.sessions[0]?.transport, transport);
  assert.ok((body.sessions[0]?.framesOut ?? 0) >= 10);
  assert.ok((body.sessions[0]?.modelMs ?? 0) > 0);
  const latency = await waitFor('a latency figure', async () => (await viewerStats(page)).latencyMs);
  assert.ok(latency > 0 && latency < 5000, `latency ${latency}`);

  // The browser vanishes without a goodbye: the session and its peer connection are freed.
  await page.close();
  await waitFor('the session to be freed', async () => server.stats().sessions.length === 0, 20_000);
}
