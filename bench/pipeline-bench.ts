/**
 * Pipeline vs model-only throughput, measured in one run on the same frames at the same batch size:
 * for each architecture and size, (1) the model alone runs over every decoded frame of a clip held in
 * memory, (2) convertVideo converts that same clip end to end (decode → model → encode, audio copied).
 * The ratio pipeline fps / model fps shows what the video plumbing costs (target ≥ 0.90).
 *
 * Random-weight packages are used unless a model is given (speed does not depend on the weights).
 * The clip is the given video (or the embedded sample, or testsrc2 when there is none) scaled to each size.
 *
 * Run: `npx tsx bench/pipeline-bench.ts [video] [--json]` or `japananime bench --pipeline <video>`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { EngineName } from '../src/engine/create-stylizer.js';
import type { OnnxDevice } from '../src/engine/onnx-stylizer.js';
import type { Stylizer } from '../src/engine/stylizer.js';
import { throwIfAborted } from '../src/errors.js';
import type { Frame } from '../src/frame.js';
import { runFfmpeg } from '../src/media/child-process.js';
import { decodeFrames } from '../src/media/decode-frames.js';
import { inputUrl, PROTOCOL_WHITELIST } from '../src/media/ffmpeg-args.js';
import { probeMedia } from '../src/media/probe.js';
import { createModelPackage, loadModelPackage, saveModelPackage } from '../src/model/model-package.js';
import type { ModelPackage } from '../src/model/model-package.js';
import { initParams } from '../src/model/params.js';
import { getArchitecture } from '../src/model/spec.js';
import type { ArchitectureName } from '../src/model/spec.js';
import { convertVideo, openVideoStylizer } from '../src/pipeline/convert-video.js';
import { stylizerConcurrency } from '../src/engine/threaded-stylizer.js';
import { SAMPLES_DIR } from '../src/project-paths.js';
import type { PipelineBenchRequest } from './model-bench.js';

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
  /** Frames per second of Stylizer.run alone over the decoded frames. */
  modelFps: number;
  /** Frames per second of convertVideo end to end (probe, decode, model, encode, mux). */
  pipelineFps: number;
  /** pipelineFps / modelFps. */
  ratio: number;
  /** Frames per second of the pipeline between its first and last encoded batch (start-up and muxing excluded). */
  steadyFps: number;
  /** steadyFps / modelFps. */
  steadyRatio: number;
}

const DEFAULT_FRAMES: Record<ArchitectureName, number> = { fast: 240, cartoongan: 48, patchgan: 0 };

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

/** Model-only rate: every batch of `frames` through the stylizer, `concurrency` batches at a time (as the pipeline runs them). */
async function modelOnlyFps(stylizer: Stylizer, frames: Frame[], batch: number, signal?: AbortSignal): Promise<number> {
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
  return frames.length / ((performance.now() - started) / 1000);
}

export async function benchPipeline(options: PipelineBenchOptions = {}): Promise<PipelineBenchRow[]> {
  const batch = options.batch ?? 4;
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
          const frames = await decodeAll(clip);
          const modelFps = await modelOnlyFps(stylizer, frames, batch, options.signal);
          frames.length = 0; // the pipeline measurement must not run with the decoded copy in memory
          let first: { frames: number; t: number } | undefined;
          let last: { frames: number; t: number } | undefined;
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
          const steadyFps = first && last && last.t > first.t ? (last.frames - first.frames) / (last.t - first.t) : result.fps;
          const row: PipelineBenchRow = { label: target.label, width, height, batch, sessions: stylizerConcurrency(stylizer), frames: result.frames, modelFps, pipelineFps: result.fps, ratio: result.fps / modelFps, steadyFps, steadyRatio: steadyFps / modelFps };
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
  const head = ['model', 'size', 'batch', 'sessions', 'frames', 'model fps', 'pipeline fps', 'ratio', 'steady fps', 'steady ratio'];
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const body = rows.map((r) => [r.label, `${r.width}x${r.height}`, String(r.batch), String(r.sessions), String(r.frames), r.modelFps.toFixed(2), r.pipelineFps.toFixed(2), pct(r.ratio), r.steadyFps.toFixed(2), pct(r.steadyRatio)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
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
  // npx tsx bench/pipeline-bench.ts [video] [--json] [--quick] [--archs fast,cartoongan] [--sizes 640x360,256x256] [--frames N] [--preset P] [--codec-niceness N]
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'boolean' }, quick: { type: 'boolean' }, archs: { type: 'string' }, sizes: { type: 'string' }, frames: { type: 'string' }, preset: { type: 'string' }, 'codec-niceness': { type: 'string' }, threads: { type: 'string' }, workers: { type: 'string' } },
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
    ...(values['codec-niceness'] !== undefined ? { codecNiceness: Number(values['codec-niceness']) } : {}),
    ...(values.quick ? { sizes: [{ width: 64, height: 48 }], frames: { fast: 8, cartoongan: 4 }, batch: 2, threads: 1 } : {}),
    onRow: (row) => {
      if (json) process.stdout.write(JSON.stringify(row) + '\n');
      else process.stderr.write(`measured ${row.label} ${row.width}x${row.height}\n`);
    },
  });
  if (!json) process.stdout.write(formatPipelineTable(rows) + '\n');
}
