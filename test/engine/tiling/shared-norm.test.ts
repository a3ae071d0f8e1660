import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createStylizer } from '../../../src/engine/create-stylizer.js';
import type { Stylizer } from '../../../src/engine/stylizer.js';
import { combineNormStats } from '../../../src/engine/tiling/norm-stats.js';
import { listNormLayers } from '../../../src/engine/tiling/shared-norm-graph.js';
import { createSharedNormRunner, type SharedNormRunner } from '../../../src/engine/tiling/shared-norm-onnx.js';
import { meanAbsDiff } from '../../../src/engine/tiling/seam-metrics.js';
import { normalisedFastSpec, randomPackage } from './random-fast-package.js';
import { syntheticPhoto } from './synthetic-photo.js';

const pkg = randomPackage(normalisedFastSpec());
let model: Stylizer;
let runner: SharedNormRunner;
before(async () => {
  model = await createStylizer({ model: pkg });
  runner = await createSharedNormRunner(pkg.onnx);
});
after(async () => {
  await model.close();
  await runner.close();
  await runner.close();
});

test('combineNormStats: the statistics of a union from those of its parts', () => {
  // Part A: values {0, 2} → mean 1, var 1. Part B: {4, 4, 4, 4} → mean 4, var 0.
  // Union {0, 2, 4, 4, 4, 4}: mean 3, E[x²] = 68/6, var = 68/6 − 9 = 7/3.
  const a = [{ mean: Float32Array.of(1), variance: Float32Array.of(1) }];
  const b = [{ mean: Float32Array.of(4), variance: Float32Array.of(0) }];
  const [u] = combineNormStats([{ stats: a, weight: 2 }, { stats: b, weight: 4 }]);
  assert.ok(Math.abs(u!.mean[0]! - 3) < 1e-6);
  assert.ok(Math.abs(u!.variance[0]! - 7 / 3) < 1e-6);
  assert.throws(() => combineNormStats([]), RangeError);
});

test('every instance norm of a normalised fast generator is found, in graph order, with its channels', () => {
  const spec = normalisedFastSpec();
  const expected: number[] = [];
  const walk = (layers: typeof spec.layers): void => {
    for (const l of layers) {
      if (l.op === 'instanceNorm') expected.push(l.channels);
      if (l.op === 'residual') walk(l.body);
    }
  };
  walk(spec.layers);
  assert.deepEqual(listNormLayers(pkg.onnx).map((l) => l.channels), expected);
  // The first norm is down1/norm (64 channels): the full-resolution conv_in has none.
  assert.equal(expected[0], 64);
});

test('shared-norm graph: plain run and run with the frame’s own statistics = the model; other statistics change it', async () => {
  const w = 96;
  const h = 64;
  const frame = { data: syntheticPhoto(w, h, 5), width: w, height: h, pts: 0, index: 0 };
  const other = { data: syntheticPhoto(w, h, 9).map((v) => v >> 1), width: w, height: h, pts: 0, index: 1 };
  const [plain] = await model.run([frame]);
  const [viaRunner] = await runner.stylize([frame]);
  assert.ok(meanAbsDiff(viaRunner!.data, plain!.data, w, h) < 0.01, 'a plain run of the shared-norm graph = the model');
  const [own, otherStats] = await runner.stats([frame, other]);
  const [same] = await runner.run([frame], own!);
  assert.ok(meanAbsDiff(same!.data, plain!.data, w, h) < 0.01, 'identical up to float rounding');
  const [shifted] = await runner.run([frame], otherStats!);
  assert.ok(meanAbsDiff(shifted!.data, plain!.data, w, h) > 5, 'the fed statistics are really used');
  assert.equal(own!.length, runner.layers.length);
  assert.ok(own![0]!.variance.every((v) => v >= 0));
});
