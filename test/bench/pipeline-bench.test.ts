/** Smoke test of src/bench/pipeline-bench.ts on a tiny clip: it measures both sides and formats the table (no timing asserted). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchPipeline, formatPipelineTable, measurementOrder } from '../../src/bench/pipeline-bench.js';

void test('measurementOrder alternates the sides in ABBA order', () => {
  assert.deepEqual(measurementOrder(1), ['model', 'pipeline']);
  assert.deepEqual(measurementOrder(2), ['model', 'pipeline', 'pipeline', 'model']);
  assert.deepEqual(measurementOrder(3), ['model', 'pipeline', 'pipeline', 'model', 'model', 'pipeline']);
  assert.throws(() => measurementOrder(0), RangeError);
  assert.throws(() => measurementOrder(1.5), RangeError);
});

void test('benchPipeline measures model-only and pipeline fps on the same frames, in rounds', async () => {
  const rows = await benchPipeline({ archs: ['fast'], sizes: [{ width: 64, height: 48 }], frames: { fast: 6 }, batch: 2, threads: 1, preset: 'ultrafast', rounds: 2 });
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  assert.equal(row.label, 'fast');
  assert.equal(row.frames, 6);
  assert.equal(row.batch, 2);
  assert.equal(row.rounds, 2);
  assert.ok(row.modelFps > 0 && row.pipelineFps > 0 && row.steadyFps > 0);
  assert.ok(Math.abs(row.ratio - row.pipelineFps / row.modelFps) < 1e-9);
  // Each round's ratio brackets the overall one: it is a ratio of sums of the same rounds.
  assert.ok(row.ratioMin <= row.ratio + 1e-9 && row.ratio <= row.ratioMax + 1e-9, `${row.ratioMin} ≤ ${row.ratio} ≤ ${row.ratioMax}`);
  // On Linux the CPU columns are measured: the model costs CPU, and the pipeline ran ffmpeg children.
  if (process.platform === 'linux') {
    assert.ok(row.modelCpuMs !== null && row.modelCpuMs > 0);
    assert.ok(row.pipelineCpuMs !== null && row.pipelineCpuMs > 0);
    assert.ok(row.ffmpegCpuMs !== null && row.ffmpegCpuMs > 0);
  }
  const table = formatPipelineTable(rows);
  assert.match(table, /^\| model +\| size +\| batch \| sessions \| frames \| rounds \| model fps \| pipeline fps \| ratio/);
  assert.match(table, /\| fast +\| 64x48 +\| 2 +\| [12] +\| 6 +\| 2 +\|/);
});
