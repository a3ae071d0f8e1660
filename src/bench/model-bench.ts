/**
 * Model throughput benchmark: ms per frame, frames per second and GFLOP/s achieved (2 × the known MAC
 * count) for each generator, through the real Stylizer (ONNX Runtime by default), and the speed-up of
 * `fast` over `cartoongan` measured in the same run. Random weights are exported on the fly when no
 * package is given (speed does not depend on the weights' values).
 *
 * Run: `japananime bench [--arch fast] [--size 256x256] [--batch 1] [--iterations 5] [--json]`
 * or   `npx tsx src/bench/model-bench.ts`.
 */
import { pathToFileURL } from 'node:url';
import { throwIfAborted } from '../errors.js';
import type { Frame } from '../frame.js';
import { createStylizer, type EngineName, type StylizerOptions } from '../engine/create-stylizer.js';
import type { Stylizer } from '../engine/stylizer.js';
import type { OnnxDevice } from '../engine/onnx-stylizer.js';
import { createModelPackage, loadModelPackage, type ModelPackage } from '../model/model-package.js';
import { initParams } from '../model/params.js';
import { countMacs, countParameters, getArchitecture, type ArchitectureName } from '../model/spec.js';

export interface ModelBenchOptions {
  /** Package folders/names to measure. Default: none (use `archs`). */
  models?: string[];
  /** Architectures to measure with random weights when no model is given. Default: ['fast', 'cartoongan']. */
  archs?: ArchitectureName[];
  /** Frame width. Default: 256. */
  width?: number;
  /** Frame height. Default: 256. */
  height?: number;
  /** Frames per Stylizer.run call. Default: 1. */
  batch?: number;
  /** Timed runs per model (after one warm-up run), interleaved across models. Default: 5. */
  iterations?: number;
  /** Engine. Default: 'onnx'. */
  engine?: EngineName;
  /** Device of the onnx engine. Default: 'cpu'. */
  device?: OnnxDevice;
  /** Intra-op threads (0 = one per core). Default: 0. */
  threads?: number;
  /** Called after each model is measured (for progress output). Default: none. */
  onRow?: (row: ModelBenchRow) => void;
  /** Stops between runs. Default: none. */
  signal?: AbortSignal;
}

export interface ModelBenchRow {
  /** Architecture name, or the package folder when one was given. */
  label: string;
  architecture: ArchitectureName;
  engine: string;
  parameters: number;
  /** GMAC per 256×256 frame. */
  gmac256: number;
  /** GMAC per frame at the measured size (after the graph's padding to a multiple of 4). */
  gmacFrame: number;
  width: number;
  height: number;
  batch: number;
  iterations: number;
  /** Median milliseconds per frame. */
  msPerFrame: number;
  /** Fastest run's milliseconds per frame. */
  msPerFrameMin: number;
  fps: number;
  /** 2 × MACs per second, in billions. */
  gflops: number;
}

export interface ModelBenchResult {
  rows: ModelBenchRow[];
  /** fps(fast) / fps(cartoongan) when both were measured in this run. */
  fastOverCartoongan: number | undefined;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Deterministic noise frames (a fixed LCG), so runs are comparable. */
export function noiseFrames(width: number, height: number, count: number, seed = 1): Frame[] {
  let s = seed >>> 0;
  return Array.from({ length: count }, (_, index) => {
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      data[i] = s >>> 24;
    }
    return { data, width, height, pts: index / 25, index };
  });
}

interface Candidate {
  label: string;
  pkg: ModelPackage;
  stylizer: Stylizer;
  times: number[];
}

function rowOf(c: Candidate, options: ModelBenchOptions): ModelBenchRow {
  const width = options.width ?? 256;
  const height = options.height ?? 256;
  const m = c.pkg.spec.sizeMultiple;
  const macsFrame = countMacs(c.pkg.spec, Math.ceil(height / m) * m, Math.ceil(width / m) * m);
  const msPerFrame = median(c.times);
  return {
    label: c.label,
    architecture: c.pkg.spec.name,
    engine: c.stylizer.description.split(' ')[0] ?? (options.engine ?? 'onnx'),
    parameters: countParameters(c.pkg.spec),
    gmac256: countMacs(c.pkg.spec, 256, 256) / 1e9,
    gmacFrame: macsFrame / 1e9,
    width,
    height,
    batch: options.batch ?? 1,
    iterations: c.times.length,
    msPerFrame,
    msPerFrameMin: Math.min(...c.times),
    fps: 1000 / msPerFrame,
    gflops: (2 * macsFrame) / (msPerFrame / 1000) / 1e9,
  };
}

/**
 * Measures packages side by side. The timed runs are interleaved (A, B, A, B, …) so that a busy
 * machine slows every model alike and the ratio stays meaningful.
 */
export async function benchPackages(targets: { label: string; pkg: ModelPackage }[], options: ModelBenchOptions = {}): Promise<ModelBenchRow[]> {
  const batch = options.batch ?? 1;
  const iterations = options.iterations ?? 5;
  const frames = noiseFrames(options.width ?? 256, options.height ?? 256, batch);
  const candidates: Candidate[] = [];
  try {
    for (const t of targets) {
      const stylizerOptions: StylizerOptions = { model: t.pkg, engine: options.engine ?? 'onnx', device: options.device ?? 'cpu' };
      if (options.threads !== undefined) stylizerOptions.threads = options.threads;
      const stylizer = await createStylizer(stylizerOptions);
      candidates.push({ label: t.label, pkg: t.pkg, stylizer, times: [] });
      await stylizer.run(frames); // warm-up: graph optimisation, allocations
      throwIfAborted(options.signal);
    }
    for (let i = 0; i < iterations; i++) {
      for (const c of candidates) {
        throwIfAborted(options.signal);
        const t0 = performance.now();
        await c.stylizer.run(frames);
        c.times.push((performance.now() - t0) / batch);
      }
    }
  } finally {
    for (const c of candidates) await c.stylizer.close();
  }
  const rows = candidates.map((c) => rowOf(c, options));
  for (const row of rows) options.onRow?.(row);
  return rows;
}

export async function runModelBench(options: ModelBenchOptions = {}): Promise<ModelBenchResult> {
  const targets: { label: string; pkg: ModelPackage }[] = [];
  for (const model of options.models ?? []) targets.push({ label: model, pkg: await loadModelPackage(model) });
  if (targets.length === 0) {
    for (const arch of options.archs ?? ['fast', 'cartoongan']) {
      const spec = getArchitecture(arch);
      targets.push({ label: arch, pkg: createModelPackage({ spec, params: initParams(spec, 0), meta: { training: { kind: 'random', seed: 0 } } }) });
    }
  }
  const rows = await benchPackages(targets, options);
  const fast = rows.find((r) => r.architecture === 'fast');
  const slow = rows.find((r) => r.architecture === 'cartoongan');
  return { rows, fastOverCartoongan: fast && slow ? fast.fps / slow.fps : undefined };
}

/** The result as a fixed-width text table. */
export function formatBenchTable(result: ModelBenchResult): string {
  const header = ['model', 'engine', 'params', 'GMAC@256²', 'size', 'batch', 'ms/frame', 'fps', 'GFLOP/s'];
  const lines = result.rows.map((r) => [
    r.label,
    r.engine,
    `${(r.parameters / 1e6).toFixed(2)}M`,
    r.gmac256.toFixed(2),
    `${r.width}x${r.height}`,
    String(r.batch),
    r.msPerFrame.toFixed(1),
    r.fps.toFixed(1),
    r.gflops.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const out = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)];
  if (result.fastOverCartoongan !== undefined) out.push('', `fast/cartoongan speed-up: ${result.fastOverCartoongan.toFixed(1)}x (same size, same run)`);
  return out.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runModelBench();
  process.stdout.write(formatBenchTable(result) + '\n');
}

/**
 * What `japananime bench --pipeline <video>` asks of runPipelineBench (src/bench/pipeline-bench.ts),
 * which returns an exit code and prints its own table or JSON.
 */
export interface PipelineBenchRequest {
  /** The video to convert end to end. */
  video: string;
  /** Model package folder or name, if given with --model. */
  model: string | undefined;
  engine: EngineName;
  device: OnnxDevice;
  batch: number;
  threads: number | undefined;
  json: boolean;
  signal: AbortSignal;
}
