/**
 * Live filter benchmark (a table, not a timed test): headless Chromium's fake camera (640×480 at
 * 30 fps, scaled by getUserMedia to the model size) → the live server on loopback → the `fast` model
 * → back to the page, over WebRTC and over the WebSocket fallback. Prints sustained output fps, the
 * dropped fraction, median/p95 end-to-end latency and the model-only fps at the same size, with the
 * targets: output fps ≥ 90% of min(model-only fps, 30) and median latency ≤ model ms + 100.
 *
 *   node --import tsx bench/live-bench.ts [--model <dir>] [--size 480x360] [--seconds 10] [--transport webrtc,ws] [--threads N] [--json]
 *
 * Without --model a random-weight `fast` package is used (speed does not depend on the weights).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createStylizer } from '../src/engine/create-stylizer.js';
import { saveModelPackage } from '../src/model/model-package.js';
import { initParams } from '../src/model/params.js';
import { getArchitecture } from '../src/model/spec.js';
import { startLiveServer } from '../src/stream/live-server.js';

interface Row {
  transport: string;
  size: string;
  outputFps: number;
  droppedFraction: number;
  latencyMedianMs: number | null;
  latencyP95Ms: number | null;
  modelMs: number;
  /** Median model time inside the session (the browser competes for the CPU). */
  sessionModelMs: number | null;
  /** Median time from a frame's arrival at the server to its stylized frame leaving. */
  serverMs: number | null;
  modelOnlyFps: number;
  fpsTargetMet: boolean;
  latencyTargetMet: boolean;
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? null;
}

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    size: { type: 'string', default: '480x360' },
    seconds: { type: 'string', default: '10' },
    transport: { type: 'string', default: 'webrtc,ws' },
    threads: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const sizeMatch = /^(\d+)x(\d+)$/.exec(values.size);
if (!sizeMatch) throw new Error(`--size must look like 480x360, got ${values.size}`);
const width = Number(sizeMatch[1]);
const height = Number(sizeMatch[2]);
const seconds = Number(values.seconds);
const transports = values.transport.split(',').filter((t) => t === 'webrtc' || t === 'ws');
const threads = values.threads === undefined ? undefined : Number(values.threads);

const work = await mkdtemp(path.join(tmpdir(), 'japananime-live-bench-'));
try {
  let modelDir = values.model;
  if (modelDir === undefined) {
    modelDir = path.join(work, 'fast');
    const spec = getArchitecture('fast');
    await saveModelPackage(modelDir, { spec, params: initParams(spec, 1), meta: { description: 'random weights for the live benchmark' } });
  }
  const openStylizer = (dir: string): ReturnType<typeof createStylizer> => createStylizer({ model: dir, engine: 'onnx', device: 'cpu', ...(threads !== undefined ? { threads } : {}) });

  // Model-only speed at the same size, before the browser competes for the CPU.
  const stylizer = await openStylizer(modelDir);
  const frame = { data: new Uint8Array(width * height * 3).map((_, i) => (i * 37) & 255), width, height, pts: 0, index: 0 };
  await stylizer.run([frame]);
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    await stylizer.run([frame]);
    times.push(performance.now() - t0);
  }
  await stylizer.close();
  const modelMs = percentile(times, 50) ?? 0;
  const modelOnlyFps = 1000 / modelMs;

  const rows: Row[] = [];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    for (const transport of transports) {
      const server = await startLiveServer({ port: 0, model: modelDir, openStylizer });
      try {
        const page = await browser.newPage();
        await page.goto(`${server.viewerUrl}&transport=${transport}&w=${width}&h=${height}&fps=30&autostart=1`);
        type Api = { stats(): { transport: string | null; framesOut: number; dropped: number }; latencies(): number[] };
        const read = (): Promise<{ transport: string | null; framesOut: number; dropped: number; latencies: number[] }> =>
          page.evaluate(() => {
            const api = (globalThis as unknown as { japananime: Api }).japananime;
            return { ...api.stats(), latencies: api.latencies() };
          });
        // Warm-up: first frames, model load, codec ramp-up.
        const warmDeadline = Date.now() + 30_000;
        while ((await read()).framesOut < 10) {
          if (Date.now() > warmDeadline) throw new Error(`${transport}: no stylized frames after 30 s`);
          await new Promise((r) => setTimeout(r, 200));
        }
        await new Promise((r) => setTimeout(r, 2000));
        const v0 = await read();
        const t0 = performance.now();
        await new Promise((r) => setTimeout(r, seconds * 1000));
        const v1 = await read();
        const t1 = performance.now();
        // Dropped: frames that were captured but never shown, against those shown: WebSocket, camera
        // ticks the page skipped plus frames replaced in the server's slot; WebRTC, frames replaced in
        // the server's slot plus the browser decoder's drops (frames the capped sender never encoded
        // are not counted).
        const shown = v1.framesOut - v0.framesOut;
        const dropped = v1.dropped - v0.dropped;
        const lat = v1.latencies.slice(v0.latencies.length);
        const outputFps = (shown * 1000) / (t1 - t0);
        const median = percentile(lat, 50);
        const session = server.stats().sessions[0];
        rows.push({
          transport: v1.transport ?? transport,
          size: `${width}x${height}`,
          outputFps,
          droppedFraction: shown + dropped > 0 ? dropped / (shown + dropped) : 0,
          latencyMedianMs: median,
          latencyP95Ms: percentile(lat, 95),
          modelMs,
          sessionModelMs: session?.modelMs ?? null,
          serverMs: session?.serverMs ?? null,
          modelOnlyFps,
          fpsTargetMet: outputFps >= 0.9 * Math.min(modelOnlyFps, 30),
          latencyTargetMet: median !== null && median <= modelMs + 100,
        });
        await page.close();
      } finally {
        await server.close();
      }
    }
  } finally {
    await browser.close();
  }

  if (values.json) {
    for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
  } else {
    const f = (v: number | null, d = 1): string => (v === null ? '–' : v.toFixed(d));
    const header = ['transport', 'size', 'out fps', 'dropped', 'lat p50 ms', 'lat p95 ms', 'model ms', 'in-session model ms', 'server ms', 'model-only fps', 'fps target', 'latency target'];
    const lines = rows.map((r) => [r.transport, r.size, f(r.outputFps), `${(100 * r.droppedFraction).toFixed(0)}%`, f(r.latencyMedianMs, 0), f(r.latencyP95Ms, 0), f(r.modelMs), f(r.sessionModelMs), f(r.serverMs), f(r.modelOnlyFps), r.fpsTargetMet ? 'met' : 'MISSED', r.latencyTargetMet ? 'met' : 'MISSED']);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
    const fmt = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
    process.stdout.write(`${fmt(header)}\n${fmt(widths.map((w) => '-'.repeat(w)))}\n${lines.map(fmt).join('\n')}\n`);
    process.stdout.write(`targets: out fps ≥ 90% of min(model-only fps, 30 fps camera); median latency ≤ model ms + 100. ${seconds} s per transport, fake camera 640x480@30 scaled to ${width}x${height}.\n`);
    process.stdout.write(`WebSocket latency: capture timestamp echoed per frame; WebRTC latency: RTP stats estimate (encode + RTT + server + jitter buffer + decode).\n`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
