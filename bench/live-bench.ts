/**
 * Live filter benchmark (a table, not a timed test): headless Chromium's fake camera (640×480 at
 * 30 fps, scaled by getUserMedia to the model size) → the live server on loopback → the model →
 * back to the page, over WebRTC and over the WebSocket fallback. Prints sustained output fps, the
 * dropped fraction, median/p95 end-to-end latency, where the CPU went, and the model-only speed at
 * the same size both with the server's inference setting and with a plain in-process session at ONNX
 * default threads (one per physical core), with the targets: output fps ≥ 90% of min(best model-only
 * fps, 30) and median latency ≤ model ms + 100.
 *
 *   node --import tsx bench/live-bench.ts [--model <dir>]... [--int8] [--size 480x360[,640x360...]] [--seconds 10]
 *       [--model-seconds 4] [--transport webrtc,ws] [--threads N] [--workers N] [--target-fps N]
 *       [--split] [--browser-nice N] [--json]
 *
 * --model: a package to serve (repeatable; default a random-weight `fast`, speed does not depend on
 * the weights); --int8: also each fp32 model's int8 copy (its current `<model>-int8` package, else one
 * quantised on a few frames of the sample clip, as `japananime bench --int8` does). Several models are
 * measured interleaved in one run: for each size and transport every model once, the order reversed
 * from one cell to the next (ABBA), so that this machine's drift (up to 20% within minutes) slows
 * them alike; each later model is then printed against the first with the ratio.
 * --size: one size or a comma list; --seconds: measured seconds per row after a warm-up;
 * --model-seconds: seconds of each model-only run (taken before the browser starts and after it closes).
 * --threads: intra-op threads per inference worker (0 = one per core); --workers: inference worker
 * threads, frames in flight at once; --split: the two-machine deployment in one box, Chromium pinned
 * to one CPU and the server (model-only measurements included) to the others (cpu-split.ts);
 * --browser-nice: an experiment, Chromium's processes at that niceness during the measurement.
 * --target-fps N: the server's adaptive model size (`serve --target-fps`), with the side it chose and
 * the fps it achieved read from /api/stats; default 0, every frame at the camera's size, so that the
 * live rows compare with the model-only rows at the same size.
 *
 * The server always runs the package it is given (preferInt8 off): `serve` would swap an fp32 package
 * for its int8 copy, and the fp32 row would silently measure int8.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, setPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { int8Twin } from '../src/bench/model-bench.js';
import { descendantsOf, machineCpu, ownCpu, processesCpu, processStats, threadCpu } from '../src/bench/proc-cpu.js';
import { formatTable } from '../src/bench/text-table.js';
import { intraOpThreads } from '../src/engine/cpu-cores.js';
import { createStylizer } from '../src/engine/create-stylizer.js';
import type { Stylizer } from '../src/engine/stylizer.js';
import { createThreadedStylizer } from '../src/engine/threaded-stylizer.js';
import type { Frame } from '../src/frame.js';
import { loadModelPackage, modelPrecision, saveModelPackage, type ModelPrecision } from '../src/model/model-package.js';
import { initParams } from '../src/model/params.js';
import { getArchitecture } from '../src/model/spec.js';
import { startLiveServer } from '../src/stream/live-server.js';
import { isSessionStatsSnapshot, type SessionStatsSnapshot } from '../src/stream/protocol.js';
import { allowedCpus, pinnedLauncher, pinnedProcesses, pinThisProcess, splitCpus } from './cpu-split.js';

// ---------------------------------------------------------------------------------------------
// Arguments

export interface LiveBenchArgs {
  /** Package folders to serve, in order; empty: a random-weight `fast`. */
  models: string[];
  /** Also measure each fp32 model's int8 copy, right after it. */
  int8: boolean;
  sizes: Array<{ width: number; height: number }>;
  /** Measured seconds per live row. */
  seconds: number;
  /** Seconds of each model-only run. */
  modelSeconds: number;
  transports: Array<'webrtc' | 'ws'>;
  /** Intra-op threads per inference worker (0 = one per core). */
  threads: number;
  /** Inference worker threads (frames in flight). */
  workers: number;
  /** The server's frame-rate target (0 = off: every frame at the camera's size). */
  targetFps: number;
  split: boolean;
  browserNice: number | undefined;
  json: boolean;
}

/** Pure: argv → arguments; throws on a bad value, naming the flag. */
export function parseLiveBenchArgs(argv: string[]): LiveBenchArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string', multiple: true, default: [] },
      int8: { type: 'boolean', default: false },
      size: { type: 'string', default: '480x360' },
      seconds: { type: 'string', default: '10' },
      'model-seconds': { type: 'string', default: '4' },
      transport: { type: 'string', default: 'webrtc,ws' },
      threads: { type: 'string', default: '0' },
      workers: { type: 'string', default: '1' },
      'target-fps': { type: 'string', default: '0' },
      'browser-nice': { type: 'string' },
      split: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const sizes = values.size.split(',').map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s.trim());
    if (!m || Number(m[1]) < 16 || Number(m[2]) < 16) throw new Error(`--size must look like 480x360 (or a comma list of them), got '${values.size}'`);
    return { width: Number(m[1]), height: Number(m[2]) };
  });
  const number = (flag: string, text: string, min: number, whole: boolean): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || (whole && !Number.isInteger(n))) throw new Error(`--${flag} must be a ${whole ? 'whole ' : ''}number ≥ ${min}, got '${text}'`);
    return n;
  };
  const transports = values.transport.split(',').filter((t): t is 'webrtc' | 'ws' => t === 'webrtc' || t === 'ws');
  if (transports.length === 0) throw new Error(`--transport must name webrtc and/or ws, got '${values.transport}'`);
  return {
    models: values.model,
    int8: values.int8,
    sizes,
    seconds: number('seconds', values.seconds, 1, false),
    modelSeconds: number('model-seconds', values['model-seconds'], 0.5, false),
    transports,
    threads: number('threads', values.threads, 0, true),
    workers: number('workers', values.workers, 1, true),
    targetFps: number('target-fps', values['target-fps'], 0, true),
    split: values.split,
    browserNice: values['browser-nice'] === undefined ? undefined : number('browser-nice', values['browser-nice'], -20, true),
    json: values.json,
  };
}

// ---------------------------------------------------------------------------------------------
// Rows and their pure arithmetic

/** One model the run serves. */
export interface BenchModel {
  label: string;
  dir: string;
  precision: ModelPrecision;
}

export interface LiveRow {
  model: string;
  precision: ModelPrecision;
  transport: string;
  size: string;
  outputFps: number;
  droppedFraction: number;
  latencyMedianMs: number | null;
  latencyP95Ms: number | null;
  /** How the latency was measured. */
  latencyMethod: string;
  /** Median model time inside the session (the browser competes for the CPU). */
  sessionModelMs: number | null;
  /** Median time from a frame's arrival at the server to its stylized frame leaving. */
  serverMs: number | null;
  /** --target-fps: the size the model ran at last (from /api/stats), null when off. */
  adaptiveSize: string | null;
  /** --target-fps: frames a second the server says it achieved, null when off. */
  adaptiveFps: number | null;
  /** CPU used during the measurement, in cores: this process (server), Chromium, everything else. */
  cpuServer: number | null;
  cpuBrowser: number | null;
  cpuOther: number | null;
}

/** A live row with the model-only speed of its model at its size, and the verdicts. */
export interface Row extends LiveRow {
  /** Model-only time per frame with the server's setting (ms). */
  modelMs: number;
  /** Model-only frames per second with the server's setting (all workers busy). */
  modelOnlyFps: number;
  /** Model-only time and fps of one in-process session at the default threads (one per physical core). */
  defaultModelMs: number;
  defaultModelOnlyFps: number;
  fpsTargetMet: boolean;
  latencyTargetMet: boolean;
}

/** Frames a model-only run did, in how many seconds, and each frame's time (ms). */
export interface ModelOnlyRun {
  frames: number;
  seconds: number;
  times: number[];
}

/** A later model against the first one, same size and transport, same run. */
export interface LiveRatio {
  model: string;
  baseline: string;
  transport: string;
  size: string;
  /** outputFps(model) / outputFps(baseline). */
  outputFps: number;
  /** latency p50(model) / latency p50(baseline); null when either is unknown. */
  latency: number | null;
  /** modelOnlyFps(model) / modelOnlyFps(baseline). */
  modelOnlyFps: number;
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? null;
}

/** Pure: runs taken before and after the live measurements as one: median ms of all frames, all frames over all seconds. */
export function combineModelOnly(runs: ModelOnlyRun[]): { ms: number; fps: number } {
  const frames = runs.reduce((a, r) => a + r.frames, 0);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  return { ms: percentile(runs.flatMap((r) => r.times), 50) ?? 0, fps: seconds > 0 ? frames / seconds : 0 };
}

/**
 * Pure: the order of one cell's models, reversed every second cell (ABBA over the run), so that a
 * machine slowing down steadily does not favour the model measured first.
 */
export function interleaved<T>(models: T[], cell: number): T[] {
  return cell % 2 === 0 ? [...models] : [...models].reverse();
}

/**
 * Pure: a live row with its model-only speed and verdicts. Targets: output fps ≥ 90% of min(best
 * model-only fps, 30 fps camera), or of min(target, 30) when the server adapts its size to a target;
 * median latency ≤ the faster model-only ms per frame + 100.
 */
export function withVerdicts(row: LiveRow, own: { ms: number; fps: number }, reference: { ms: number; fps: number }, targetFps: number): Row {
  const fpsBar = 0.9 * Math.min(targetFps > 0 ? targetFps : Math.max(own.fps, reference.fps), 30);
  const latencyBudgetMs = Math.min(own.ms, reference.ms) + 100;
  return {
    ...row,
    modelMs: own.ms,
    modelOnlyFps: own.fps,
    defaultModelMs: reference.ms,
    defaultModelOnlyFps: reference.fps,
    fpsTargetMet: row.outputFps >= fpsBar,
    latencyTargetMet: row.latencyMedianMs !== null && row.latencyMedianMs <= latencyBudgetMs,
  };
}

/** Pure: each later model against the first model, per size and transport. */
export function ratiosAgainstFirst(rows: Row[], models: string[]): LiveRatio[] {
  const [baseline, ...others] = models;
  if (baseline === undefined) return [];
  const out: LiveRatio[] = [];
  for (const base of rows.filter((r) => r.model === baseline)) {
    for (const model of others) {
      const row = rows.find((r) => r.model === model && r.transport === base.transport && r.size === base.size);
      if (!row) continue;
      out.push({
        model,
        baseline,
        transport: base.transport,
        size: base.size,
        outputFps: row.outputFps / base.outputFps,
        latency: row.latencyMedianMs !== null && base.latencyMedianMs ? row.latencyMedianMs / base.latencyMedianMs : null,
        modelOnlyFps: row.modelOnlyFps / base.modelOnlyFps,
      });
    }
  }
  return out;
}

const f = (v: number | null, d = 1): string => (v === null ? '–' : v.toFixed(d));

/** Pure: the rows (same size and transport next to each other) and the ratios as text tables. */
export function formatLiveTable(rows: Row[], ratios: LiveRatio[]): string {
  const header = ['model', 'precision', 'transport', 'size', 'out fps', 'dropped', 'lat p50 ms', 'lat p95 ms', 'model ms', 'model-only fps', 'in-session model ms', 'server ms', 'adaptive size', 'server fps', 'cpu server/browser/other', 'fps target', 'latency target'];
  // The models of one size and transport next to each other, in the order they were given (cell 0 ran them in it).
  const modelOrder = (r: Row): number => rows.findIndex((o) => o.model === r.model);
  const sorted = [...rows].sort((a, b) => a.size.localeCompare(b.size, 'en', { numeric: true }) || a.transport.localeCompare(b.transport) || modelOrder(a) - modelOrder(b));
  const lines = sorted.map((r) => [
    r.model,
    r.precision,
    r.transport,
    r.size,
    f(r.outputFps),
    `${(100 * r.droppedFraction).toFixed(0)}%`,
    f(r.latencyMedianMs, 0),
    f(r.latencyP95Ms, 0),
    f(r.modelMs),
    f(r.modelOnlyFps),
    f(r.sessionModelMs),
    f(r.serverMs),
    r.adaptiveSize ?? '–',
    f(r.adaptiveFps),
    `${f(r.cpuServer, 2)}/${f(r.cpuBrowser, 2)}/${f(r.cpuOther, 2)}`,
    r.fpsTargetMet ? 'met' : 'MISSED',
    r.latencyTargetMet ? 'met' : 'MISSED',
  ]);
  const out = [formatTable(header, lines, { leftColumns: 4 })];
  if (ratios.length > 0) {
    const x = (v: number | null): string => (v === null ? '–' : `${v.toFixed(2)}x`);
    out.push('', 'against the first model (same size, same transport, same run; latency < 1x is better):');
    out.push(formatTable(['model', 'vs', 'transport', 'size', 'out fps', 'lat p50', 'model-only fps'], ratios.map((q) => [q.model, q.baseline, q.transport, q.size, x(q.outputFps), x(q.latency), x(q.modelOnlyFps)]), { leftColumns: 4 }));
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Measurements

/** CPU seconds of this process, of Chromium's processes and of the whole machine; null off Linux. */
function cpuTimes(): { self: number; browser: number; total: number } | null {
  const self = ownCpu()?.self;
  const browser = processesCpu(/^chrom/);
  const total = machineCpu();
  return self === undefined || browser === null || total === null ? null : { self, browser, total };
}

/**
 * Lowers the CPU priority of this process's Chromium processes (Linux; an experiment, off by
 * default): browser and server share the cores here, which they would not on two machines.
 * Returns how many processes were changed.
 */
function niceBrowser(niceness: number): number {
  const table = processStats();
  let changed = 0;
  for (const pid of descendantsOf(process.pid, table)) {
    if (!/^chrom/.test(table.get(pid)?.name ?? '')) continue;
    try {
      setPriority(pid, niceness);
      changed++;
    } catch {
      // Not allowed, or ended since the listing: left as it is.
    }
  }
  return changed;
}

/** Runs a stylizer kept `inFlight` frames busy for at least `minSeconds` and `minFrames`, after a warm-up. */
async function modelOnly(stylizer: Stylizer, frame: Frame, inFlight: number, minSeconds: number, minFrames = 16): Promise<ModelOnlyRun> {
  await Promise.all(Array.from({ length: inFlight }, () => stylizer.run([frame])));
  const times: number[] = [];
  let started = 0;
  const t0 = performance.now();
  const more = (): boolean => started < minFrames || performance.now() - t0 < minSeconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (more()) {
        started++;
        const t = performance.now();
        await stylizer.run([frame]);
        times.push(performance.now() - t);
      }
    }),
  );
  return { frames: started, seconds: (performance.now() - t0) / 1000, times };
}

/** What the run holds: the CPU split, its temporary folder, the models and how the server opens them. */
interface Setup {
  args: LiveBenchArgs;
  work: string;
  cpus: { browser: number[]; server: number[] } | undefined;
  models: BenchModel[];
  openStylizer: (dir: string) => Promise<Stylizer>;
}

/** The models to serve: the given ones (or a random-weight `fast`), each followed by its int8 copy with --int8. */
async function benchModels(args: LiveBenchArgs, work: string): Promise<BenchModel[]> {
  const given: BenchModel[] = [];
  for (const dir of args.models) given.push({ label: dir, dir, precision: modelPrecision((await loadModelPackage(dir)).meta) });
  if (given.length === 0) {
    const dir = path.join(work, 'fast');
    const spec = getArchitecture('fast');
    await saveModelPackage(dir, { spec, params: initParams(spec, 1), meta: { description: 'random weights for the live benchmark' } });
    given.push({ label: 'fast (random weights)', dir, precision: 'fp32' });
  }
  if (!args.int8) return given;
  const models: BenchModel[] = [];
  for (const m of given) {
    models.push(m);
    if (m.precision === 'int8') continue;
    const twin = await int8Twin(m.label, await loadModelPackage(m.dir), undefined);
    // The server opens packages from folders: one quantised in memory is written out first.
    const dir = twin.pkg.dir ?? path.join(work, `int8-${models.length}`);
    if (twin.pkg.dir === undefined) await saveModelPackage(dir, twin.pkg);
    models.push({ label: twin.pkg.dir !== undefined ? path.relative(process.cwd(), twin.pkg.dir) || twin.pkg.dir : `${twin.label}, quantised for this run`, dir, precision: 'int8' });
  }
  return models;
}

/** Pins the server's CPUs (with --split) before any model session or worker thread exists, and finds the models. */
async function setUp(args: LiveBenchArgs): Promise<Setup> {
  // Sessions and worker threads inherit the pinning, and the engine's "one thread per core" counts
  // only the server's CPUs.
  const cpus = args.split ? splitCpus(allowedCpus()) : undefined;
  if (cpus) pinThisProcess(cpus.server);
  const work = await mkdtemp(path.join(tmpdir(), 'japananime-live-bench-'));
  try {
    const models = await benchModels(args, work);
    // The server runs inference in worker threads (the event loop stays free for frames and codecs).
    const openStylizer = (dir: string): Promise<Stylizer> => createThreadedStylizer({ model: dir, engine: 'onnx', device: 'cpu', threads: args.threads, workers: args.workers });
    return { args, work, cpus, models, openStylizer };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

async function launchBrowser(setup: Setup): Promise<Browser> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return chromium.launch({
    executablePath: setup.cpus ? await pinnedLauncher(setup.work, chromiumPath, setup.cpus.browser) : chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required'],
  });
}

const sizeKey = (s: { width: number; height: number }): string => `${s.width}x${s.height}`;

/**
 * Model-only speed of every model at every size: with the server's setting, and with one plain
 * in-process session at the default threads, one per physical core (what `japananime stylize` uses),
 * so that a setting cannot make the target easier by being slower. Called before the browser starts
 * and again after it has closed, the models in the other order, and the two taken as one: a reference
 * taken only before would credit the machine's drift to the live path.
 */
async function measureModelOnly(setup: Setup, pass: number, own: Map<string, ModelOnlyRun[]>, reference: Map<string, ModelOnlyRun[]>): Promise<void> {
  const { args } = setup;
  for (const size of args.sizes) {
    const frame: Frame = { data: new Uint8Array(size.width * size.height * 3).map((_, i) => (i * 37) & 255), width: size.width, height: size.height, pts: 0, index: 0 };
    for (const m of interleaved(setup.models, pass)) {
      const key = `${m.label}@${sizeKey(size)}`;
      const serverSetting = await setup.openStylizer(m.dir);
      try {
        own.set(key, [...(own.get(key) ?? []), await modelOnly(serverSetting, frame, args.workers, args.modelSeconds)]);
      } finally {
        await serverSetting.close();
      }
      const plain = await createStylizer({ model: m.dir, engine: 'onnx', device: 'cpu' });
      try {
        reference.set(key, [...(reference.get(key) ?? []), await modelOnly(plain, frame, 1, args.modelSeconds)]);
      } finally {
        await plain.close();
      }
    }
  }
}

/** The first session of the server's /api/stats (each row has its own server, so its only session). */
async function apiStatsSession(server: { url: string; token: string }): Promise<SessionStatsSnapshot | undefined> {
  const res = await fetch(new URL(`api/stats?token=${encodeURIComponent(server.token)}`, server.url));
  const body = (await res.json()) as unknown;
  const sessions = typeof body === 'object' && body !== null ? (body as { sessions?: unknown }).sessions : undefined;
  const first: unknown = Array.isArray(sessions) ? sessions[0] : undefined;
  return isSessionStatsSnapshot(first) ? first : undefined;
}

/** One live row: a fresh server for `model`, the page at `size` over `transport`, measured for args.seconds after a warm-up. */
async function measureLive(setup: Setup, browser: Browser, model: BenchModel, size: { width: number; height: number }, transport: 'webrtc' | 'ws', diagnostics: string[]): Promise<LiveRow> {
  const { args, cpus } = setup;
  const tag = `${model.label} ${sizeKey(size)} ${transport}`;
  const server = await startLiveServer({ port: 0, model: model.dir, openStylizer: setup.openStylizer, preferInt8: false, targetFps: args.targetFps });
  try {
    const page = await browser.newPage();
    // stamp=1: over WebRTC the page stamps frame numbers into the frames it sends and reads them
    // back from the stylized frames shown (exact per-frame latency on the page's clock).
    await page.goto(`${server.viewerUrl}&transport=${transport}&w=${size.width}&h=${size.height}&fps=30&autostart=1&stamp=1`);
    type Api = { stats(): { transport: string | null; framesOut: number; dropped: number }; latencies(): number[]; rtp(): Record<string, number> };
    const read = (): Promise<{ transport: string | null; framesOut: number; dropped: number; latencies: number[] }> =>
      page.evaluate(() => {
        const api = (globalThis as unknown as { japananime: Api }).japananime;
        return { ...api.stats(), latencies: api.latencies() };
      });
    // Warm-up: first frames, model load, codec ramp-up.
    const warmDeadline = Date.now() + 30_000;
    while ((await read()).framesOut < 10) {
      if (Date.now() > warmDeadline) throw new Error(`${tag}: no stylized frames after 30 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 2000));
    if (cpus) {
      const { matching, pinned } = pinnedProcesses(/^chrom/, cpus.browser);
      diagnostics.push(`${tag}: --split: ${pinned} of ${matching} Chromium processes pinned to CPU ${cpus.browser.join(',')}`);
    }
    if (args.browserNice !== undefined) diagnostics.push(`${tag}: EXPERIMENT: ${niceBrowser(args.browserNice)} Chromium processes at niceness ${args.browserNice} (not the default setting)`);
    const v0 = await read();
    const c0 = cpuTimes();
    const th0 = threadCpu();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, args.seconds * 1000));
    const v1 = await read();
    const c1 = cpuTimes();
    const th1 = threadCpu();
    const t1 = performance.now();
    const session = await apiStatsSession(server);
    const wall = (t1 - t0) / 1000;
    // Dropped: frames the page sent (or tried to send when the pacer asked) that were never shown,
    // against those shown: WebSocket, frames replaced or skipped in the server plus sends the page
    // skipped; WebRTC, stamped frames sent and never shown (replaced in the server's slot, dropped
    // by an encoder, decoder or renderer). Camera frames the pacer did not ask for are not counted:
    // they were never captured into the pipeline.
    const shown = v1.framesOut - v0.framesOut;
    const dropped = v1.dropped - v0.dropped;
    const lat = v1.latencies.slice(v0.latencies.length);
    const busiest = [...th1]
      .map(([k, v]) => [k, (v - (th0.get(k) ?? 0)) / wall] as const)
      .filter(([, v]) => v >= 0.01)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8);
    diagnostics.push(`${tag}: server threads (cores): ${busiest.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
    diagnostics.push(`${tag}: a frame waited ${session?.laneWaitMs ?? '–'} ms on average for the model, the model idled ${session?.laneIdleMs ?? '–'} ms on average for a frame (send pacing)`);
    if (transport === 'webrtc') {
      const rtp = await page.evaluate(() => (globalThis as unknown as { japananime: Api }).japananime.rtp());
      diagnostics.push(`${tag}: the page's RTP stats per frame: ${Object.entries(rtp).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
      diagnostics.push(`${tag}: the server's RTP stats per frame: ${Object.entries(session?.rtp ?? {}).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
    }
    const other = c0 && c1 ? (c1.total - c0.total - (c1.self - c0.self) - (c1.browser - c0.browser)) / wall : null;
    if (other !== null && other > 0.1) diagnostics.push(`${tag}: NOT QUIET: other processes kept ${other.toFixed(2)} cores busy; these numbers are not final`);
    await page.close();
    const adaptive = session?.adaptive ?? null;
    return {
      model: model.label,
      precision: model.precision,
      transport: v1.transport ?? transport,
      size: sizeKey(size),
      outputFps: (shown * 1000) / (t1 - t0),
      droppedFraction: shown + dropped > 0 ? dropped / (shown + dropped) : 0,
      latencyMedianMs: percentile(lat, 50),
      latencyP95Ms: percentile(lat, 95),
      latencyMethod: 'per frame: capture time → stylized frame shown, on the page clock',
      sessionModelMs: session?.modelMs ?? null,
      serverMs: session?.serverMs ?? null,
      adaptiveSize: adaptive?.lastSize ? sizeKey(adaptive.lastSize) : null,
      adaptiveFps: adaptive?.achievedFps ?? null,
      cpuServer: c0 && c1 ? (c1.self - c0.self) / wall : null,
      cpuBrowser: c0 && c1 ? (c1.browser - c0.browser) / wall : null,
      cpuOther: other === null ? null : Math.max(0, other),
    };
  } finally {
    await server.close();
  }
}

/** Everything the report needs. */
interface Measured {
  rows: Row[];
  ratios: LiveRatio[];
  diagnostics: string[];
}

/** Model-only, then every live row (sizes × transports × models, interleaved), then model-only again. */
async function measure(setup: Setup): Promise<Measured> {
  const { args } = setup;
  const own = new Map<string, ModelOnlyRun[]>();
  const reference = new Map<string, ModelOnlyRun[]>();
  await measureModelOnly(setup, 0, own, reference);
  const liveRows: LiveRow[] = [];
  const diagnostics: string[] = [];
  const browser = await launchBrowser(setup);
  try {
    let cell = 0;
    for (const size of args.sizes) {
      for (const transport of args.transports) {
        for (const model of interleaved(setup.models, cell)) {
          liveRows.push(await measureLive(setup, browser, model, size, transport, diagnostics));
          if (!args.json) process.stderr.write(`measured ${model.label} ${sizeKey(size)} ${transport}\n`);
        }
        cell++;
      }
    }
  } finally {
    await browser.close();
  }
  await measureModelOnly(setup, 1, own, reference);
  const rows = liveRows.map((row) => {
    const key = `${row.model}@${row.size}`;
    return withVerdicts(row, combineModelOnly(own.get(key) ?? []), combineModelOnly(reference.get(key) ?? []), args.targetFps);
  });
  const spread = (runs: ModelOnlyRun[] | undefined): string => (runs ?? []).map((r) => (r.frames / r.seconds).toFixed(1)).join(' then ');
  for (const key of own.keys()) diagnostics.push(`${key}: model-only fps before the browser started, then after it closed: server setting ${spread(own.get(key))}; reference ${spread(reference.get(key))}`);
  return { rows, ratios: ratiosAgainstFirst(rows, setup.models.map((m) => m.label)), diagnostics };
}

/** Prints the table and what it rests on (or one JSON object a row, then the ratios, with --json). */
function report(setup: Setup, result: Measured): void {
  const { args, cpus } = setup;
  if (args.json) {
    for (const row of result.rows) process.stdout.write(JSON.stringify({ type: 'row', ...row }) + '\n');
    for (const ratio of result.ratios) process.stdout.write(JSON.stringify({ type: 'ratio', ...ratio }) + '\n');
    return;
  }
  const laneThreads = intraOpThreads(args.threads, args.workers);
  process.stdout.write(formatLiveTable(result.rows, result.ratios) + '\n\n');
  process.stdout.write(
    [
      `server inference: ${args.workers} worker thread${args.workers > 1 ? 's' : ''} × ${laneThreads} intra-op thread${laneThreads === 1 ? '' : 's'} (model ms, model-only fps); reference: one in-process session at the default threads (${intraOpThreads(0)}, one per physical core).`,
      args.targetFps > 0
        ? `--target-fps ${args.targetFps}: the server shrinks the model's input to hold it (adaptive size and server fps from /api/stats at the end of each row); out fps target ≥ 90% of min(${args.targetFps}, 30).`
        : 'every frame at the camera size (--target-fps 0); out fps target ≥ 90% of min(the better model-only fps, 30 fps camera).',
      'latency target: median ≤ the faster model-only ms per frame (at the camera size) + 100.',
      cpus
        ? `CPUs split (--split): the server (this process, model-only measurements included) on CPU ${cpus.server.join(',')}, Chromium on CPU ${cpus.browser.join(',')}: two machines in one box.`
        : `CPUs shared: the server and Chromium on the same ${availableParallelism()} CPUs (on two machines the browser's share would not be taken from the server).`,
      `${args.seconds} s per row after a warm-up, models interleaved (ABBA) per size and transport; fake camera 640x480@30 scaled to the size; cpu = cores busy during the measurement (server = this process: inference, codecs, WebRTC).`,
      'latency, both transports: per frame, from the page drawing the camera frame it sends to the stylized frame shown (WebSocket: the capture time rides in the frame header and is echoed;',
      'WebRTC: the page stamps a frame number into the corner of the frame it sends, the server copies it into the stylized frame, the page reads it back at display and looks up its capture time).',
      ...result.diagnostics,
    ].join('\n') + '\n',
  );
}

export async function main(argv: string[]): Promise<void> {
  const setup = await setUp(parseLiveBenchArgs(argv));
  try {
    report(setup, await measure(setup));
  } finally {
    await rm(setup.work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
