import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import { parseBenchArgs } from '../../../src/cli/commands/bench.js';
import { formatBenchTable, noiseFrames, runModelBench } from '../../../src/bench/model-bench.js';

void test('parseBenchArgs: defaults and every flag', () => {
  assert.deepEqual(parseBenchArgs([]), { bench: { batch: 1, iterations: 5 }, json: false, pipeline: undefined });
  const a = parseBenchArgs(['--arch', 'fast', '--size', '320x240', '--batch', '4', '--iterations', '2', '--threads', '0', '--engine', 'tfjs', '--json', '--pipeline', 'clip.mp4']);
  assert.deepEqual(a, { bench: { archs: ['fast'], width: 320, height: 240, batch: 4, iterations: 2, threads: 0, engine: 'tfjs' }, json: true, pipeline: 'clip.mp4' });
  assert.deepEqual(parseBenchArgs(['--model', 'a', '--model', 'b/c', '--device', 'cuda']).bench, { models: ['a', 'b/c'], batch: 1, iterations: 5, device: 'cuda' });
});

void test('parseBenchArgs: bad values are usage errors naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [['--arch', 'patchgan'], /--arch must be one of cartoongan, fast/],
    [['--size', '256'], /--size must look like 256x256/],
    [['--size', '0x5'], /--size/],
    [['--batch', '0'], /--batch must be a whole number ≥ 1/],
    [['--iterations', 'x'], /--iterations/],
    [['--engine', 'torch'], /--engine must be onnx or tfjs/],
    [['--device', 'tpu'], /--device must be cpu or cuda/],
    [['--model', 'm', '--arch', 'fast'], /cannot be combined/],
    [['extra'], /unexpected argument 'extra'/],
  ];
  for (const [argv, pattern] of cases) assert.throws(() => parseBenchArgs(argv), (err: unknown) => err instanceof UsageError && pattern.test(err.message), argv.join(' '));
  assert.throws(() => parseBenchArgs(['--frobnicate']), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
});

void test('runModelBench measures both architectures in one run and formats a table with the ratio', async () => {
  const result = await runModelBench({ width: 24, height: 16, iterations: 1, threads: 1 });
  assert.deepEqual(result.rows.map((r) => r.architecture), ['fast', 'cartoongan']);
  for (const r of result.rows) {
    assert.equal(r.iterations, 1);
    assert.ok(r.msPerFrame > 0 && Number.isFinite(r.fps) && r.gflops > 0);
    // GFLOP/s is 2 x MACs of the padded 24x16 frame per second.
    assert.ok(Math.abs(r.gflops - (2 * r.gmacFrame) / (r.msPerFrame / 1000)) < 1e-6 * r.gflops);
  }
  assert.ok(result.fastOverCartoongan !== undefined && result.fastOverCartoongan > 0);
  const table = formatBenchTable(result);
  assert.match(table, /^model\s+engine\s+precision\s+params\s+GMAC@256²\s+size\s+batch\s+ms\/frame\s+cpu ms\s+fps/);
  assert.match(table, /fast\s+onnx\/cpu\s+fp32\s+\d\.\d\dM\s+\d\.\d\d\s+24x16/);
  assert.match(table, /cartoongan\s+onnx\/cpu\s+fp32\s+11\.13M\s+54\.38/);
  assert.match(table, /fast\/cartoongan speed-up: \d+\.\dx/);
});

void test('--int8 measures each model beside its int8 copy, interleaved, and reports the ratio per size', async () => {
  assert.equal(parseBenchArgs(['--int8']).bench.int8, true);
  const result = await runModelBench({ archs: ['fast'], int8: true, sizes: [{ width: 24, height: 16 }, { width: 32, height: 20 }], iterations: 1, threads: 1 });
  assert.deepEqual(result.rows.map((r) => `${r.label} ${r.precision} ${r.width}x${r.height}`), ['fast fp32 24x16', 'fast (int8) int8 24x16', 'fast fp32 32x20', 'fast (int8) int8 32x20']);
  assert.deepEqual(result.int8Speedups.map((s) => `${s.label} ${s.width}x${s.height}`), ['fast 24x16', 'fast 32x20']);
  for (const s of result.int8Speedups) assert.ok(s.ratio > 0 && Number.isFinite(s.ratio));
  assert.match(formatBenchTable(result), /int8\/fp32 speed-up[^\n]*\n  fast at 24x16: \d+\.\d\dx \(CPU time per frame: \d+\.\d\dx\)\n  fast at 32x20: \d+\.\d\dx/);
  for (const r of result.rows) assert.ok(r.cpuMsPerFrame >= 0 && Number.isFinite(r.cpuMsPerFrame));
});

void test('noiseFrames is deterministic', () => {
  const [a] = noiseFrames(4, 3, 1, 9);
  const [b] = noiseFrames(4, 3, 1, 9);
  assert.deepEqual(a?.data, b?.data);
  assert.equal(a?.data.length, 36);
});
