/**
 * ONNX Runtime's telemetry is off: a session in this thread and one in a worker thread leave no
 * mat-debug-<pid>.log in the temp folder (ORT 1.2x writes one per process when telemetry is on).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createStylizer } from '../../src/engine/create-stylizer.js';
import { createThreadedStylizer } from '../../src/engine/threaded-stylizer.js';
import { saveRandomModel } from '../pipeline/random-model.js';

void test('running the model in this thread and in a worker leaves no mat-debug log in the temp folder', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'japananime-ort-'));
  const log = path.join(tmpdir(), `mat-debug-${process.pid}.log`);
  try {
    const model = await saveRandomModel(dir);
    const frame = { data: new Uint8Array(16 * 16 * 3).fill(90), width: 16, height: 16, pts: 0, index: 0 };
    const local = await createStylizer({ model, threads: 1 });
    const threaded = await createThreadedStylizer({ model, threads: 1 });
    try {
      assert.equal((await local.run([frame])).length, 1);
      assert.equal((await threaded.run([frame])).length, 1);
    } finally {
      await local.close();
      await threaded.close();
    }
    assert.equal(process.env.ORT_DISABLE_TELEMETRY, '1');
    assert.equal(existsSync(log), false, `${log} was written`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
