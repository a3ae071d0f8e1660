/**
 * Pipeline vs model-only throughput, measured in one run on the same frames at the same batch size:
 * for each architecture and size, (1) the model alone runs over every decoded frame of a clip held in
 * memory, (2) convertVideo converts that same clip end to end (decode → model → encode, audio copied).
 * The ratio pipeline fps / model fps shows what the video plumbing costs (target ≥ 0.90).
 *
 * The two sides alternate in ABBA order over `rounds` rounds (model, pipeline, pipeline, model, …) and
 * each side's rate is its frames over its seconds summed over the rounds: this machine's speed drifts
 * by up to 20% within minutes, and one side measured after the other would credit that drift to the
 * plumbing. The CPU columns say what each frame cost in CPU time, which drifts less: this process
 * (the model's threads and the event loop) and, in the pipeline, ffmpeg's processes.
 *
 * Random-weight packages are used unless a model is given (speed does not depend on the weights).
 * The clip is the given video (or the embedded sample, or testsrc2 when there is none) scaled to each size.
 *
 * Run: `npx tsx src/bench/pipeline-bench.ts [video] [--json]` or `japananime bench --pipeline <video>`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { EngineName } from '../engine/create-stylizer.js';
import type { OnnxDevice } from '../engine/onnx-stylizer.js';
import { stylizerConcurrency, type Stylizer } from '../engine/stylizer.js';
import { openVideoStylizer } from '../engine/video-stylizer.js';
import { throwIfAborted } from '../errors.js';
import type { Frame } from '../frame.js';
import { runFfmpeg } from '../media/child-process.js';
import { decodeFrames } from '../media/decode-frames.js';
import { inputUrl, PROTOCOL_WHITELIST } from '../media/ffmpeg-args.js';
import { probeMedia } from '../media/probe.js';
import { createModelPackage, loadModelPackage, saveModelPackage } from '../model/model-package.js';
import type { ModelPackage } from '../model/model-package.js';
import { initParams } from '../model/params.js';
import { getArchitecture } from '../model/spec.js';
import type { ArchitectureName } from '../model/spec.js';
import { convertVideo } from '../pipeline/convert-video.js';
import { SAMPLES_DIR } from '../project-paths.js';
import type { PipelineBenchRequest } from './model-bench.js';
import { ownCpu } from './proc-cpu.js';
import { formatTable } from './text-table.js';

export interface PipelineBenchOptions {
  /** Source clip, scaled to each size. Default: samples/sample.mp4, else a generated testsrc2 clip. */
  video?: string;
  /** A model package to measure instead of random-weight ones. Default: none. */
  model?: string;
  /** Architectures with random weights, when no model is given. Default: ['fast', 'cartoongan']. */
  archs?: ArchitectureName[];
  /** Sizes to measure. Default: 256×256 and 640×360. */
  sizes?: Array<{ width: number; height: number }>;
  /** Frames per Stylizer.run, same for both measurements. Default: 4. */
  batch?: number;
  /** Frames of the clip per architecture. Default: 240 for fast, 48 for cartoongan (and a given model). */
  frames?: Partial<Record<ArchitectureName, number>>;
  engine?: EngineName;
  device?: OnnxDevice;
  /** Intra-op threads per session (0 = the physical cores shared out). Default: 0. */
  threads?: number;
  /** Model sessions at once, as `stylize --workers`. Default: what convertVideo picks for the size. */
  workers?: number;
  /** x264 preset of the pipeline's encoder. Default: 'medium' (what `stylize` uses). */
  preset?: string;
  /** Niceness of the pipeline's ffmpeg processes. Default: convertVideo's (0). */
  codecNiceness?: number;
  /** Rounds of (model-only, pipeline) measurements, in ABBA order. Default: 2. */
  rounds?: number;
  /** Called after each row. Default: none. */
  onRow?: (row: PipelineBenchRow) => void;
  signal?: AbortSignal;
}

export interface PipelineBenchRow {
  label: string;
  width: number;
  height: number;
  batch: number;
  /** Model sessions running batches at once (both measurements). */
  sessions: number;
  frames: number;
  /** Rounds: each one measurement of each side, in ABBA order (see measurementOrder). */
  rounds: number;
  /** Frames per second of Stylizer.run alone over the decoded frames (all rounds' frames / all rounds' seconds). */
  modelFps: number;
  /** Frames per second of convertVideo end to end (probe, decode, model, encode, mux), over all rounds. */
  pipelineFps: number;
  /** pipelineFps / modelFps. */
  ratio: number;
  /** The lowest and highest ratio of one round's pair: the spread the machine's drift leaves. */
  ratioMin: number;
  ratioMax: number;
  /** Frames per second of the pipeline between its first and last encoded batch (start-up and muxing excluded). */
  steadyFps: number;
  /** steadyFps / modelFps. */
  steadyRatio: number;
  /** CPU ms per frame of this process (the model's threads and the event loop) while the model ran alone; null off Linux. */
  modelCpuMs: number | null;
  /** CPU ms per frame of this process during the pipeline. */
  pipelineCpuMs: number | null;
  /** CPU ms per frame of the pipeline's ffmpeg and ffprobe processes (decode, scale, encode, mux). */
  ffmpegCpuMs: number | null;
}

/**
 * Pure: the order of the measurements, one model-only ('model') and one pipeline run a round, every
 * second round reversed (ABBA): a machine whose speed drifts steadily during the run then slows
 * both sides alike, where "model first, pipeline after" would credit the drift to the pipeline.
 */
export function measurementOrder(rounds: number): Array<'model' | 'pipeline'> {
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new RangeError(`rounds must be a whole number ≥ 1, got ${rounds}`);
  return Array.from({ length: rounds }, (_, r): Array<'model' | 'pipeline'> => (r % 2 === 0 ? ['model', 'pipeline'] : ['pipeline', 'model'])).flat();
}

const DEFAULT_FRAMES: Record<ArchitectureName, number> = { fast: 240, cartoongan: 48, patchgan: 0, 'cartoongan-seed': 48 };

/** Makes the clip for one measurement: `frames` frames at width×height, with the source's audio. */
async function prepareClip(dir: string, source: string | undefined, width: number, height: number, frames: number): Promise<string> {
  const out = path.join(dir, `clip-${width}x${height}-${frames}.mp4`);
  if (existsSync(out)) return out;
  const common = ['-hide_banner', '-nostdin', '-v', 'error'];
  if (source) {
    await runFfmpeg([...common, '-stream_loop', '-1', '-protocol_whitelist', PROTOCOL_WHITELIST, '-i', inputUrl(source), '-vf', `scale=${width}:${height},setsar=1`, '-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-y', out]);
  } else {
    await runFfmpeg([...common, '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=25`, '-f', 'lavfi', '-i', 'sine=frequency=440', '-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-y', out]);
  }
  return out;
}

async function decodeAll(file: string): Promise<Frame[]> {
  const info = await probeMedia(file);
  const frames: Frame[] = [];
  for await (const f of decodeFrames(file, { width: info.width, height: info.height, frameRate: info.frameRate, streamIndex: info.videoStreamIndex })) frames.push(f);
  return frames;
}

/** Model-only run: every batch of `frames` through the stylizer, `concurrency` batches at a time (as the pipeline runs them); returns the seconds taken. */
async function modelOnlySeconds(stylizer: Stylizer, frames: Frame[], batch: number, signal?: AbortSignal): Promise<number> {
  const concurrency = stylizerConcurrency(stylizer);
  // Warm-up of every session: first-call allocations and kernel selection.
  await Promise.all(Array.from({ length: concurrency }, () => stylizer.run(frames.slice(0, batch))));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < frames.length) {
        throwIfAborted(signal);
        const i = next;
        next += batch;
        await stylizer.run(frames.slice(i, i + batch));
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

/** Sums of one side's measurements over the rounds. */
interface Totals {
  frames: number;
  seconds: number;
  /** CPU seconds of this process and of its exited children; NaN off Linux. */
  cpuSelf: number;
  cpuChildren: number;
}

const emptyTotals = (): Totals => ({ frames: 0, seconds: 0, cpuSelf: 0, cpuChildren: 0 });

/** Runs `measure` and adds its frames, seconds and CPU time to `into`. */
async function measured(into: Totals, measure: () => Promise<{ frames: number; seconds: number }>): Promise<{ frames: number; seconds: number }> {
  const before = ownCpu();
  const result = await measure();
  const after = ownCpu();
  into.frames += result.frames;
  into.seconds += result.seconds;
  into.cpuSelf += before && after ? after.self - before.self : NaN;
  into.cpuChildren += before && after ? after.children - before.children : NaN;
  return result;
}

export async function benchPipeline(options: PipelineBenchOptions = {}): Promise<PipelineBenchRow[]> {
  const batch = options.batch ?? 4;
  const rounds = options.rounds ?? 2;
  measurementOrder(rounds); // validates
  const sizes = options.sizes ?? [{ width: 256, height: 256 }, { width: 640, height: 360 }];
  const sample = path.join(SAMPLES_DIR, 'sample.mp4');
  const source = options.video ?? (existsSync(sample) ? sample : undefined);
  const targets: Array<{ label: string; pkg: ModelPackage; frames: number }> = [];
  if (options.model) {
    const pkg = await loadModelPackage(options.model);
    targets.push({ label: options.model, pkg, frames: options.frames?.[pkg.spec.name] ?? DEFAULT_FRAMES.cartoongan });
  } else {
    for (const arch of options.archs ?? (['fast', 'cartoongan'] as ArchitectureName[])) {
      const spec = getArchitecture(arch);
      targets.push({ label: arch, pkg: createModelPackage({ spec, params: initParams(spec, 0), meta: { training: { kind: 'random', seed: 0 } } }), frames: options.frames?.[arch] ?? DEFAULT_FRAMES[arch] });
    }
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'japananime-pipeline-bench-'));
  const rows: PipelineBenchRow[] = [];
  try {
    for (const target of targets) {
      // The stylizer `stylize` would make for each size (sessions in worker threads load from a folder).
      const modelDir = options.model ?? path.join(dir, `model-${target.label}`);
      if (!options.model) await saveModelPackage(modelDir, target.pkg);
      for (const { width, height } of sizes) {
        throwIfAborted(options.signal);
        const stylizer = await openVideoStylizer({ model: modelDir, engine: options.engine, device: options.device, threads: options.threads, workers: options.workers }, { width, height });
        try {
          const clip = await prepareClip(dir, source, width, height, target.frames);
          const model = emptyTotals();
          const pipeline = emptyTotals();
          const roundRatios: number[] = [];
          let roundFps: { model?: number; pipeline?: number } = {};
          let steadyFrames = 0;
          let steadySeconds = 0;
          for (const side of measurementOrder(rounds)) {
            throwIfAborted(options.signal);
            if (side === 'model') {
              // Decoded afresh each round, outside the timing; dropped before the pipeline runs, which
              // must not run with a decoded copy of the clip in memory.
              const frames = await decodeAll(clip);
              const r = await measured(model, async () => ({ frames: frames.length, seconds: await modelOnlySeconds(stylizer, frames, batch, options.signal) }));
              roundFps.model = r.frames / r.seconds;
            } else {
              let first: { frames: number; t: number } | undefined;
              let last: { frames: number; t: number } | undefined;
              const r = await measured(pipeline, async () => {
                const result = await convertVideo({
                  input: clip,
                  output: path.join(dir, `out-${width}x${height}.mp4`),
                  stylizer,
                  batch,
                  preset: options.preset,
                  ...(options.codecNiceness !== undefined ? { codecNiceness: options.codecNiceness } : {}),
                  signal: options.signal,
                  onProgress: (p) => {
                    last = { frames: p.frames, t: p.elapsedS };
                    first ??= last;
                  },
                });
                return { frames: result.frames, seconds: result.seconds };
              });
              if (first && last && last.t > first.t) {
                steadyFrames += last.frames - first.frames;
                steadySeconds += last.t - first.t;
              }
              roundFps.pipeline = r.frames / r.seconds;
            }
            if (roundFps.model !== undefined && roundFps.pipeline !== undefined) {
              roundRatios.push(roundFps.pipeline / roundFps.model);
              roundFps = {};
            }
          }
          const modelFps = model.frames / model.seconds;
          const pipelineFps = pipeline.frames / pipeline.seconds;
          const steadyFps = steadySeconds > 0 ? steadyFrames / steadySeconds : pipelineFps;
          const perFrameMs = (cpu: number, frames: number): number | null => (Number.isFinite(cpu) ? (1000 * cpu) / frames : null);
          const row: PipelineBenchRow = {
            label: target.label,
            width,
            height,
            batch,
            sessions: stylizerConcurrency(stylizer),
            frames: pipeline.frames / rounds,
            rounds,
            modelFps,
            pipelineFps,
            ratio: pipelineFps / modelFps,
            ratioMin: Math.min(...roundRatios),
            ratioMax: Math.max(...roundRatios),
            steadyFps,
            steadyRatio: steadyFps / modelFps,
            modelCpuMs: perFrameMs(model.cpuSelf, model.frames),
            pipelineCpuMs: perFrameMs(pipeline.cpuSelf, pipeline.frames),
            ffmpegCpuMs: perFrameMs(pipeline.cpuChildren, pipeline.frames),
          };
          rows.push(row);
          options.onRow?.(row);
        } finally {
          await stylizer.close();
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

/** Pure: the table printed for a run. */
export function formatPipelineTable(rows: PipelineBenchRow[]): string {
  const head = ['model', 'size', 'batch', 'sessions', 'frames', 'rounds', 'model fps', 'pipeline fps', 'ratio', 'rounds\' ratios', 'steady ratio', 'cpu ms/frame: model alone', 'pipeline (node + ffmpeg)'];
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const ms = (x: number | null): string => (x === null ? '–' : x.toFixed(1));
  const body = rows.map((r) => [
    r.label,
    `${r.width}x${r.height}`,
    String(r.batch),
    String(r.sessions),
    String(r.frames),
    String(r.rounds),
    r.modelFps.toFixed(2),
    r.pipelineFps.toFixed(2),
    pct(r.ratio),
    `${pct(r.ratioMin)}–${pct(r.ratioMax)}`,
    pct(r.steadyRatio),
    ms(r.modelCpuMs),
    `${ms(r.pipelineCpuMs)} + ${ms(r.ffmpegCpuMs)}`,
  ]);
  return formatTable(head, body, { style: 'markdown' });
}

/** Hook of `japananime bench --pipeline <video>` (loaded by src/cli/commands/bench.ts). Returns the exit code. */
export async function runPipelineBench(request: PipelineBenchRequest): Promise<number> {
  const rows = await benchPipeline({
    video: request.video,
    model: request.model,
    engine: request.engine,
    device: request.device,
    batch: request.batch,
    threads: request.threads,
    signal: request.signal,
    onRow: (row) => {
      if (request.json) process.stdout.write(JSON.stringify({ type: 'pipeline', ...row }) + '\n');
    },
  });
  if (!request.json) process.stdout.write(formatPipelineTable(rows) + '\n');
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // npx tsx src/bench/pipeline-bench.ts [video] [--json] [--quick] [--archs fast,cartoongan] [--sizes 640x360,256x256] [--frames N] [--rounds N] [--preset P] [--codec-niceness N]
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'boolean' }, quick: { type: 'boolean' }, archs: { type: 'string' }, sizes: { type: 'string' }, frames: { type: 'string' }, preset: { type: 'string' }, 'codec-niceness': { type: 'string' }, threads: { type: 'string' }, workers: { type: 'string' }, rounds: { type: 'string' } },
  });
  const json = values.json ?? false;
  const archs = values.archs?.split(',') as ArchitectureName[] | undefined;
  const sizes = values.sizes?.split(',').map((s) => {
    const [width, height] = s.split('x').map(Number);
    if (!width || !height) throw new Error(`--sizes: '${s}' is not WIDTHxHEIGHT`);
    return { width, height };
  });
  const frames = values.frames !== undefined ? Number(values.frames) : undefined;
  const rows = await benchPipeline({
    video: positionals[0],
    ...(archs ? { archs } : {}),
    ...(sizes ? { sizes } : {}),
    ...(frames ? { frames: { fast: frames, cartoongan: frames } } : {}),
    ...(values.preset ? { preset: values.preset } : {}),
    ...(values.threads !== undefined ? { threads: Number(values.threads) } : {}),
    ...(values.workers !== undefined ? { workers: Number(values.workers) } : {}),
    ...(values.rounds !== undefined ? { rounds: Number(values.rounds) } : {}),
    ...(values['codec-niceness'] !== undefined ? { codecNiceness: Number(values['codec-niceness']) } : {}),
    ...(values.quick ? { sizes: [{ width: 64, height: 48 }], frames: { fast: 8, cartoongan: 4 }, batch: 2, threads: 1, rounds: 1 } : {}),
    onRow: (row) => {
      if (json) process.stdout.write(JSON.stringify(row) + '\n');
      else process.stderr.write(`measured ${row.label} ${row.width}x${row.height}\n`);
    },
  });
  if (!json) process.stdout.write(formatPipelineTable(rows) + '\n');
}
