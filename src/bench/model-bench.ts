/**
 * Model throughput benchmark: ms per frame, frames per second and GFLOP/s achieved (2 × the known MAC
 * count) for each generator, through the real Stylizer (ONNX Runtime by default), and the speed-up of
 * `fast` over `cartoongan` measured in the same run. Random weights are exported on the fly when no
 * package is given (speed does not depend on the weights' values).
 *
 * With `int8`, each fp32 model is measured beside its int8 copy (its current `<model>-int8` package,
 * else quantised in memory on a few frames of the sample clip), interleaved in the same run, at
 * 256² and 640×360 unless a size is given, and the int8/fp32 frame-rate ratio is printed.
 *
 * Run: `japananime bench [--arch fast] [--size 256x256] [--batch 1] [--iterations 5] [--int8] [--json]`
 * or   `npx tsx src/bench/model-bench.ts [--int8]`.
 */
import { pathToFileURL } from 'node:url';
import { throwIfAborted } from '../errors.js';
import type { Frame } from '../frame.js';
import { createStylizer, type EngineName, type StylizerOptions } from '../engine/create-stylizer.js';
import type { Stylizer } from '../engine/stylizer.js';
import type { OnnxDevice } from '../engine/onnx-stylizer.js';
import { createModelPackage, loadModelPackage, modelPrecision, type ModelPackage, type ModelPrecision } from '../model/model-package.js';
import { preferInt8Copy } from '../model/quantize/int8-copy.js';
import { median } from '../sample-stats.js';
import { DEFAULT_CALIBRATION_VIDEO, quantizePackage } from '../model/quantize/quantize-model.js';
import { initParams } from '../model/params.js';
import { countMacs, countParameters, getArchitecture, type ArchitectureName } from '../model/spec.js';
import { formatTable } from './text-table.js';

export interface ModelBenchOptions {
  /** Package folders/names to measure. Default: none (use `archs`). */
  models?: string[];
  /** Architectures to measure with random weights when no model is given. Default: ['fast', 'cartoongan']. */
  archs?: ArchitectureName[];
  /** Also measure an int8 copy of every fp32 model, interleaved with it (see the top of this file). Default: false. */
  int8?: boolean;
  /** Frame sizes measured one after the other. Default: [width×height], or 256² and 640×360 with int8. */
  sizes?: { width: number; height: number }[];
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
  /** Precision of the package's model.onnx. */
  precision: ModelPrecision;
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
  /**
   * Median CPU milliseconds per frame, all of the process's threads (ORT's included). On a machine
   * shared with other work, wall time includes waiting for a core; CPU time is what the model costs.
   */
  cpuMsPerFrame: number;
  fps: number;
  /** 2 × MACs per second, in billions. */
  gflops: number;
}

/** fps(int8) / fps(fp32) of one model at one size, measured in the same run. */
export interface Int8Speedup {
  label: string;
  width: number;
  height: number;
  /** Ratio of frames a second (wall time). */
  ratio: number;
  /** Ratio of CPU time per frame (fp32 / int8): the same comparison without the waits of a shared machine. */
  cpuRatio: number;
}

export interface ModelBenchResult {
  rows: ModelBenchRow[];
  /** One entry per model and size when int8 copies were measured. */
  int8Speedups: Int8Speedup[];
  /** fps(fast) / fps(cartoongan) when both were measured in this run. */
  fastOverCartoongan: number | undefined;
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
  cpuTimes: number[];
}

function rowOf(c: Candidate, options: ModelBenchOptions): ModelBenchRow {
  const width = options.width ?? 256;
  const height = options.height ?? 256;
  const m = c.pkg.spec.sizeMultiple;
  const macsFrame = countMacs(c.pkg.spec, Math.ceil(height / m) * m, Math.ceil(width / m) * m);
  const msPerFrame = median(c.times) ?? Number.NaN;
  return {
    label: c.label,
    architecture: c.pkg.spec.name,
    precision: modelPrecision(c.pkg.meta),
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
    cpuMsPerFrame: (median(c.cpuTimes) ?? Number.NaN),
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
      candidates.push({ label: t.label, pkg: t.pkg, stylizer, times: [], cpuTimes: [] });
      await stylizer.run(frames); // warm-up: graph optimisation, allocations
      throwIfAborted(options.signal);
    }
    for (let i = 0; i < iterations; i++) {
      for (const c of candidates) {
        throwIfAborted(options.signal);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        await c.stylizer.run(frames);
        c.times.push((performance.now() - t0) / batch);
        const cpu = process.cpuUsage(cpu0);
        c.cpuTimes.push((cpu.user + cpu.system) / 1000 / batch);
      }
    }
  } finally {
    for (const c of candidates) await c.stylizer.close();
  }
  const rows = candidates.map((c) => rowOf(c, options));
  for (const row of rows) options.onRow?.(row);
  return rows;
}

/**
 * The int8 copy to measure beside an fp32 package: its current `-int8` package, else one quantised in
 * memory (no `dir`). Also the live bench's (bench/live-bench.ts --int8), so both benches compare the same copy.
 */
export async function int8Twin(label: string, pkg: ModelPackage, signal: AbortSignal | undefined): Promise<{ label: string; pkg: ModelPackage }> {
  if (pkg.dir !== undefined) {
    const copy = preferInt8Copy(pkg.dir);
    if (copy.precision === 'int8') return { label: `${label} (int8)`, pkg: await loadModelPackage(copy.dir) };
  }
  // Speed does not depend on how good the ranges are: a few frames of the sample clip do.
  const { pkg: q } = await quantizePackage(pkg, { calibration: [DEFAULT_CALIBRATION_VIDEO], frames: 4, signal });
  return { label: `${label} (int8)`, pkg: q };
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
  const pairs: { fp32: string; int8: string }[] = [];
  if (options.int8) {
    for (const t of [...targets]) {
      if (modelPrecision(t.pkg.meta) === 'int8') continue;
      const twin = await int8Twin(t.label, t.pkg, options.signal);
      // Each int8 copy right after its fp32 model, so the interleaved runs alternate the two.
      targets.splice(targets.indexOf(t) + 1, 0, twin);
      pairs.push({ fp32: t.label, int8: twin.label });
    }
  }
  const sizes = options.sizes ?? (options.width !== undefined || options.height !== undefined || !options.int8
    ? [{ width: options.width ?? 256, height: options.height ?? 256 }]
    : [{ width: 256, height: 256 }, { width: 640, height: 360 }]);
  const rows: ModelBenchRow[] = [];
  for (const size of sizes) rows.push(...(await benchPackages(targets, { ...options, ...size })));
  const int8Speedups: Int8Speedup[] = [];
  for (const size of sizes) {
    const at = (label: string) => rows.find((r) => r.label === label && r.width === size.width && r.height === size.height);
    for (const p of pairs) {
      const a = at(p.fp32);
      const b = at(p.int8);
      if (a && b) int8Speedups.push({ label: p.fp32, width: size.width, height: size.height, ratio: b.fps / a.fps, cpuRatio: a.cpuMsPerFrame / b.cpuMsPerFrame });
    }
  }
  const first = sizes[0]!;
  const fp32At = (arch: ArchitectureName) => rows.find((r) => r.architecture === arch && r.precision === 'fp32' && r.width === first.width && r.height === first.height);
  const fast = fp32At('fast');
  const slow = fp32At('cartoongan');
  return { rows, int8Speedups, fastOverCartoongan: fast && slow ? fast.fps / slow.fps : undefined };
}

/** The result as a fixed-width text table. */
export function formatBenchTable(result: ModelBenchResult): string {
  const header = ['model', 'engine', 'precision', 'params', 'GMAC@256²', 'size', 'batch', 'ms/frame', 'cpu ms', 'fps', 'GFLOP/s'];
  const lines = result.rows.map((r) => [
    r.label,
    r.engine,
    r.precision,
    `${(r.parameters / 1e6).toFixed(2)}M`,
    r.gmac256.toFixed(2),
    `${r.width}x${r.height}`,
    String(r.batch),
    r.msPerFrame.toFixed(1),
    r.cpuMsPerFrame.toFixed(1),
    r.fps.toFixed(1),
    r.gflops.toFixed(1),
  ]);
  const out = [formatTable(header, lines, { leftColumns: 3 })];
  if (result.fastOverCartoongan !== undefined) out.push('', `fast/cartoongan speed-up: ${result.fastOverCartoongan.toFixed(1)}x (same size, same run)`);
  if (result.int8Speedups.length > 0) {
    out.push('', 'int8/fp32 speed-up (frames a second, same threads, interleaved in this run):');
    for (const s of result.int8Speedups) out.push(`  ${s.label} at ${s.width}x${s.height}: ${s.ratio.toFixed(2)}x (CPU time per frame: ${s.cpuRatio.toFixed(2)}x)`);
  }
  return out.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runModelBench({ int8: process.argv.includes('--int8') });
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
