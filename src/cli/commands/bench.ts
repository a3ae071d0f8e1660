/**
 * `japananime bench`: flag parsing only; the measurements are src/bench/model-bench.ts and
 * src/bench/pipeline-bench.ts (bench/ holds standalone scripts; the CLI never imports them).
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { formatBenchTable, runModelBench, type ModelBenchOptions } from '../../bench/model-bench.js';
import { runPipelineBench } from '../../bench/pipeline-bench.js';
import { GENERATOR_NAMES, isArchitectureName, type ArchitectureName } from '../../model/spec.js';
import type { CommandModule } from '../command-module.js';

const HELP = `Usage: japananime bench [--model M]... [--arch fast|cartoongan] [--size WxH] [--batch N] [--iterations N] [--int8] [--json]

Measures the generators through the real Stylizer: ms per frame, frames per second, GFLOP/s achieved
(2 x the architecture's MAC count) and the speed-up of 'fast' over 'cartoongan' in the same run.
Without --model, both architectures are measured with random weights exported on the fly.

  --model <dir|name>   a model package to measure (repeatable); default: random-weight models
  --arch <name>        only this architecture (fast or cartoongan); default: both
  --size <WxH>         frame size (default 256x256)
  --batch <N>          frames per run (default 1)
  --iterations <N>     timed runs per model after one warm-up (default 5)
  --engine <onnx|tfjs> inference engine (default onnx)
  --device <cpu|cuda>  execution provider of the onnx engine (default cpu)
  --threads <N>        intra-op threads, 0 = one per core (default 0)
  --int8               also measure each fp32 model's int8 copy (its current <model>-int8 package, else
                       quantised in memory), interleaved with it, at 256x256 and 640x360 unless --size
                       is given, and print the int8/fp32 speed-up
  --pipeline <video>   also time the whole video pipeline on this file
  --json               print one JSON object a line: a row per model, then the summary`;

export interface BenchArgs {
  bench: ModelBenchOptions;
  json: boolean;
  pipeline: string | undefined;
}

function positiveInt(flag: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${flag} must be a whole number ≥ ${min}, got '${value}'`);
  return Number(value);
}

/** Pure: argv → benchmark options. Throws UsageError for bad flags. */
export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      model: { type: 'string', multiple: true },
      arch: { type: 'string' },
      size: { type: 'string' },
      batch: { type: 'string' },
      iterations: { type: 'string' },
      engine: { type: 'string' },
      device: { type: 'string' },
      threads: { type: 'string' },
      pipeline: { type: 'string' },
      int8: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (see japananime bench --help)`);
  const bench: ModelBenchOptions = {};
  if (values.model && values.model.length > 0) {
    if (values.arch !== undefined) throw new UsageError('--model and --arch cannot be combined (a package knows its architecture)');
    bench.models = values.model;
  }
  if (values.arch !== undefined) {
    const arch = values.arch;
    if (!isArchitectureName(arch) || !GENERATOR_NAMES.includes(arch)) throw new UsageError(`--arch must be one of ${GENERATOR_NAMES.join(', ')}, got '${arch}'`);
    bench.archs = [arch as ArchitectureName];
  }
  if (values.size !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(values.size);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new UsageError(`--size must look like 256x256, got '${values.size}'`);
    bench.width = Number(m[1]);
    bench.height = Number(m[2]);
  }
  if (values.int8 === true) bench.int8 = true;
  bench.batch = positiveInt('batch', values.batch, 1);
  bench.iterations = positiveInt('iterations', values.iterations, 5);
  if (values.threads !== undefined) bench.threads = positiveInt('threads', values.threads, 0, 0);
  if (values.engine !== undefined) {
    if (values.engine !== 'onnx' && values.engine !== 'tfjs') throw new UsageError(`--engine must be onnx or tfjs, got '${values.engine}'`);
    bench.engine = values.engine;
  }
  if (values.device !== undefined) {
    if (values.device !== 'cpu' && values.device !== 'cuda') throw new UsageError(`--device must be cpu or cuda, got '${values.device}'`);
    bench.device = values.device;
  }
  return { bench, json: values.json ?? false, pipeline: values.pipeline };
}

export const command: CommandModule = {
  summary: 'measure ms/frame, fps and GFLOP/s of the generators (fast vs cartoongan)',
  help: HELP,
  async run(argv, signal) {
    const args = parseBenchArgs(argv);
    const result = await runModelBench({
      ...args.bench,
      signal,
      onRow: (row) => {
        if (args.json) process.stdout.write(JSON.stringify({ type: 'row', ...row }) + '\n');
        else if (process.stderr.isTTY) process.stderr.write(`measured ${row.label}: ${row.msPerFrame.toFixed(1)} ms/frame\n`);
      },
    });
    if (args.json) process.stdout.write(JSON.stringify({ type: 'summary', rows: result.rows.length, fastOverCartoongan: result.fastOverCartoongan ?? null, int8Speedups: result.int8Speedups }) + '\n');
    else process.stdout.write(formatBenchTable(result) + '\n');
    if (args.pipeline !== undefined) {
      return runPipelineBench({
        video: args.pipeline,
        model: args.bench.models?.[0],
        engine: args.bench.engine ?? 'onnx',
        device: args.bench.device ?? 'cpu',
        batch: args.bench.batch ?? 1,
        threads: args.bench.threads,
        json: args.json,
        signal,
      });
    }
    return 0;
  },
};
