/** Smoke test of bench/pipeline-bench.ts on a tiny clip: it measures both sides and formats the table (no timing asserted). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchPipeline, formatPipelineTable } from '../../bench/pipeline-bench.js';

void test('benchPipeline measures model-only and pipeline fps on the same frames', async () => {
  const rows = await benchPipeline({ archs: ['fast'], sizes: [{ width: 64, height: 48 }], frames: { fast: 6 }, batch: 2, threads: 1, preset: 'ultrafast' });
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  assert.equal(row.label, 'fast');
  assert.equal(row.frames, 6);
  assert.equal(row.batch, 2);
  assert.ok(row.modelFps > 0 && row.pipelineFps > 0 && row.steadyFps > 0);
  assert.ok(Math.abs(row.ratio - row.pipelineFps / row.modelFps) < 1e-9);
  const table = formatPipelineTable(rows);
  assert.match(table, /^\| model +\| size +\| batch \| sessions \| frames \| model fps \| pipeline fps \| ratio/);
  assert.match(table, /\| fast +\| 64x48 +\| 2 +\| [12] +\| 6 +\|/);
});
