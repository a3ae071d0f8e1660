/** quantize, export and eval: their flags, parsed without running the (slow) jobs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEvalArgs } from '../../../src/cli/commands/eval.js';
import { parseExportArgs } from '../../../src/cli/commands/export.js';
import { parseQuantizeArgs } from '../../../src/cli/commands/quantize.js';
import { UsageError } from '../../../src/errors.js';

const usageError = (f: () => unknown, pattern: RegExp): void => assert.throws(f, (e: unknown) => e instanceof UsageError && pattern.test(e.message));

void test('quantize: the package, --out and the calibration flags', () => {
  assert.deepEqual(parseQuantizeArgs(['models/default', '--out', 'q', '--calibration', 'a.mp4', '--calibration', 'photos', '--frames', '8', '--percentile', '99.9', '--keep-thin', '0', '--json']), {
    model: 'models/default', out: 'q', calibration: ['a.mp4', 'photos'], frames: 8, percentile: 99.9, keepThinConvs: 0, json: true,
  });
  assert.deepEqual(parseQuantizeArgs(['m', '--out', 'q']), { model: 'm', out: 'q', calibration: undefined, frames: undefined, percentile: undefined, keepThinConvs: undefined, json: false });
  usageError(() => parseQuantizeArgs(['--out', 'q']), /^quantize needs the model package/);
  usageError(() => parseQuantizeArgs(['m']), /^quantize needs --out/);
  usageError(() => parseQuantizeArgs(['m', '--out', 'q', '--frames', '0']), /^--frames must be a whole number ≥ 1, got '0'$/);
  usageError(() => parseQuantizeArgs(['m', '--out', 'q', '--percentile', '40']), /^--percentile must be a number in \(50, 100\]/);
});

void test('export: the run, --out, --step and --int8', () => {
  assert.deepEqual(parseExportArgs(['runs/a', '--out', 'models/a', '--step', '500', '--license', 'MIT', '--int8']), {
    run: 'runs/a', out: 'models/a', step: 500, license: 'MIT', description: undefined, int8: true, json: false,
  });
  usageError(() => parseExportArgs([]), /^export needs the run folder: japananime export <run> --out <model-dir>$/);
  usageError(() => parseExportArgs(['r', 's', '--out', 'o']), /^unexpected argument 's'/);
  usageError(() => parseExportArgs(['r', '--out', 'o', '--step', '0']), /^--step must be a whole number ≥ 1, got '0'$/);
});

void test('eval: inputs, model, anime set and the number flags with their floors', () => {
  assert.deepEqual(parseEvalArgs(['a.jpg', 'clip.mp4', '--model', 'm', '--anime', 'film.mp4', '--anime-max', '8', '--engine', 'tfjs', '--max-side', '256', '--video-frames', '12', '--json']), {
    inputs: ['a.jpg', 'clip.mp4'], model: 'm', anime: ['film.mp4'], maxAnime: 8, engine: 'tfjs', maxSide: 256, maxVideoFrames: 12, json: true,
  });
  usageError(() => parseEvalArgs(['a.jpg', '--engine', 'cuda']), /^--engine must be onnx or tfjs, got 'cuda'$/);
  usageError(() => parseEvalArgs(['a.jpg', '--max-side', '8']), /^--max-side must be a whole number ≥ 16/);
  usageError(() => parseEvalArgs(['a.jpg', '--anime-max', '3']), /^--anime-max must be a whole number ≥ 4/);
  usageError(() => parseEvalArgs(['a.jpg', '--video-frames', '1']), /^--video-frames must be a whole number ≥ 2/);
});
