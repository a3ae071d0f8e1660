/**
 * File conversion over supervised worker threads when an inference worker dies mid-way (real ffmpeg,
 * real ONNX Runtime; the crash is a worker.terminate() through the stylizer's test hook): a crash
 * that the one retry survives still writes every frame; a batch whose worker dies twice fails the
 * conversion with one line, and neither the output nor a temporary file is left.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createThreadedStylizer, threadedStylizerTestHooks, type SupervisedStylizer } from '../../src/engine/threaded-stylizer.js';
import { WorkerCrashedError } from '../../src/errors.js';
import { probeMedia } from '../../src/media/probe.js';
import { convertVideo } from '../../src/pipeline/convert-video.js';
import { makeClip, tempDir } from '../media/make-clip.js';
import { saveRandomModel } from './random-model.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let input = '';
let stylizer: SupervisedStylizer;
before(async () => {
  ({ dir, cleanup } = await tempDir());
  stylizer = await createThreadedStylizer({ model: await saveRandomModel(dir), threads: 1, workers: 1, restartDelayMs: 10 });
  input = await makeClip(path.join(dir, 'clip.mp4'), { width: 64, height: 48, frames: 12 });
});
after(async () => {
  await stylizer.close();
  await cleanup();
});

void test('a worker that dies mid-conversion is replaced and its batch retried: every frame is written', async () => {
  const hooks = threadedStylizerTestHooks(stylizer)!;
  let dispatched = 0;
  // The third batch's worker is killed the first time it holds it.
  hooks.onDispatch = (lane, crashes) => {
    if (++dispatched === 3 && crashes === 0) hooks.crashWorker(lane);
  };
  const before = stylizer.restarts;
  try {
    const output = path.join(dir, 'survived.mp4');
    const result = await convertVideo({ input, output, stylizer, batch: 2, preset: 'ultrafast' });
    assert.equal(result.frames, 12);
    assert.equal((await probeMedia(output)).frameCount, 12);
    assert.equal(stylizer.restarts, before + 1);
    assert.equal(dispatched, 7, 'six batches, one of them twice');
  } finally {
    hooks.onDispatch = undefined;
  }
});

void test('a batch whose worker dies twice fails the conversion with one line; no output, no temporary file', async () => {
  const hooks = threadedStylizerTestHooks(stylizer)!;
  let dispatched = 0;
  hooks.onDispatch = (lane) => {
    if (++dispatched >= 3) hooks.crashWorker(lane);
  };
  try {
    const output = path.join(dir, 'failed.mp4');
    await assert.rejects(convertVideo({ input, output, stylizer, batch: 2, preset: 'ultrafast' }), (err: unknown) => {
      assert.ok(err instanceof WorkerCrashedError, String(err));
      assert.ok(!err.message.includes('\n'), err.message);
      assert.match(err.message, /stopped twice on the same batch/);
      return true;
    });
    assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('.') || f === 'failed.mp4'), []);
  } finally {
    hooks.onDispatch = undefined;
  }
  // The stylizer heals: the next conversion runs.
  const again = await convertVideo({ input, output: path.join(dir, 'again.mp4'), stylizer, batch: 4, preset: 'ultrafast' });
  assert.equal(again.frames, 12);
});
