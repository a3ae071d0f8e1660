/**
 * The threaded stylizer runs the real ONNX engine in worker threads: same pixels as the in-process
 * engine, the event loop stays free during inference, concurrent runs spread over workers, and
 * close() frees the workers (the process can exit).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createStylizer } from '../../src/engine/create-stylizer.js';
import { ModelError, WorkerCrashedError } from '../../src/errors.js';
import { saveModelPackage } from '../../src/model/model-package.js';
import { initParams } from '../../src/model/params.js';
import { getArchitecture } from '../../src/model/spec.js';
import { stylizerConcurrency } from '../../src/engine/stylizer.js';
import { createThreadedStylizer, restartDelay, threadedStylizerTestHooks } from '../../src/engine/threaded-stylizer.js';

let dir: string;
let modelDir: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'japananime-thread-'));
  modelDir = path.join(dir, 'fast');
  const spec = getArchitecture('fast');
  await saveModelPackage(modelDir, { spec, params: initParams(spec, 3), meta: { description: 'random weights for tests' } });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const picture = (w: number, h: number, seed: number): Uint8Array => new Uint8Array(w * h * 3).map((_, i) => (i * seed + (i >> 7)) & 255);

void test('frames that are Buffer views into one shared pool (as a pipe hands them out) stay intact', async () => {
  const threaded = await createThreadedStylizer({ model: modelDir, threads: 1, workers: 1 });
  try {
    const bytes = 16 * 8 * 3;
    // Three frames back to back in one ArrayBuffer of its own (not Node's small-buffer pool, whose
    // ArrayBuffers cannot be handed over at all), as frames cut from a pipe's chunk are.
    const pool = Buffer.allocUnsafeSlow(bytes * 3);
    pool.set(picture(16, 8 * 3, 7));
    const frames = [0, 1, 2].map((i) => ({ data: pool.subarray(i * bytes, (i + 1) * bytes), width: 16, height: 8, pts: i, index: i }));
    const before = frames.map((f) => Buffer.from(f.data));
    await threaded.run([frames[0]!]);
    // Handing over frame 0's buffer must not detach the pool under frames 1 and 2.
    for (const [i, f] of frames.entries()) assert.deepEqual(Buffer.from(f.data), before[i], `frame ${i}`);
    assert.equal((await threaded.run([frames[1]!, frames[2]!])).length, 2);
  } finally {
    await threaded.close();
  }
});

void test('frames stylized in worker threads equal the in-process engine, and the caller keeps its buffers', async () => {
  const threaded = await createThreadedStylizer({ model: modelDir, threads: 1, workers: 2 });
  const local = await createStylizer({ model: modelDir, threads: 1 });
  try {
    assert.equal(threaded.concurrency, 2);
    assert.equal(stylizerConcurrency(threaded), 2);
    assert.equal(stylizerConcurrency(local), 1);
    const frames = [0, 1, 2].map((i) => ({ data: picture(48, 32, 31 + i), width: 48, height: 32, pts: i / 10, index: i }));
    // Three runs at once over two workers: one waits for a free worker.
    const outs = await Promise.all(frames.map((f) => threaded.run([f])));
    for (const [i, f] of frames.entries()) {
      const [want] = await local.run([f]);
      const got = outs[i]?.[0];
      assert.ok(got && want);
      assert.deepEqual(got.data, want.data, `frame ${i}`);
      assert.equal(got.pts, f.pts);
      assert.equal(got.index, f.index);
      assert.equal(f.data.length, 48 * 32 * 3, 'input buffer still usable');
    }
    assert.deepEqual(await threaded.run([]), []);
  } finally {
    await threaded.close();
    await local.close();
  }
  await threaded.close(); // idempotent
  await assert.rejects(threaded.run([{ data: picture(8, 8, 1), width: 8, height: 8, pts: 0, index: 0 }]), /closed/);
});

void test('the event loop keeps turning while a frame is stylized', async () => {
  const threaded = await createThreadedStylizer({ model: modelDir, threads: 1 });
  try {
    const frame = { data: picture(320, 240, 7), width: 320, height: 240, pts: 0, index: 0 };
    await threaded.run([frame]);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const t0 = performance.now();
    await threaded.run([frame]);
    const ms = performance.now() - t0;
    clearInterval(timer);
    // In-process, ONNX Runtime's synchronous run would allow no tick at all.
    assert.ok(ticks >= Math.min(3, ms / 10), `${ticks} ticks during a ${ms.toFixed(0)} ms run`);
  } finally {
    await threaded.close();
  }
});

void test('a bad frame fails its run only; a missing model fails to open with the typed error', async () => {
  const threaded = await createThreadedStylizer({ model: modelDir, threads: 1 });
  try {
    await assert.rejects(threaded.run([{ data: new Uint8Array(5), width: 8, height: 8, pts: 0, index: 0 }]), /bytes/);
    const [ok] = await threaded.run([{ data: picture(8, 8, 3), width: 8, height: 8, pts: 0, index: 0 }]);
    assert.equal(ok?.data.length, 8 * 8 * 3);
  } finally {
    await threaded.close();
  }
  await assert.rejects(createThreadedStylizer({ model: path.join(dir, 'nope') }), (err: unknown) => err instanceof ModelError || (err instanceof Error && 'code' in err));
  await assert.rejects(createThreadedStylizer({ model: modelDir, workers: 0 }), RangeError);
});

void test('a worker killed while it holds a batch is restarted and the batch retried once on the fresh worker', async () => {
  const threaded = await createThreadedStylizer({ model: modelDir, threads: 1, restartDelayMs: 10 });
  const local = await createStylizer({ model: modelDir, threads: 1 });
  try {
    const hooks = threadedStylizerTestHooks(threaded);
    assert.ok(hooks);
    const seen: number[] = [];
    hooks.onDispatch = (lane, crashes) => {
      seen.push(crashes);
      if (crashes === 0) hooks.crashWorker(lane);
    };
    const frame = { data: picture(32, 24, 5), width: 32, height: 24, pts: 0, index: 0 };
    const [got] = await threaded.run([frame]);
    const [want] = await local.run([frame]);
    assert.deepEqual(got?.data, want?.data);
    assert.deepEqual(seen, [0, 1], 'handed out once, then once more after the crash');
    assert.equal(threaded.restarts, 1);
    hooks.onDispatch = undefined;
    assert.equal((await threaded.run([frame])).length, 1, 'later batches run');
  } finally {
    await threaded.close();
    await local.close();
  }
});

void test('a batch whose worker dies twice fails with WorkerCrashedError; the stylizer keeps serving', async () => {
  const threaded = await createThreadedStylizer({ model: modelDir, threads: 1, restartDelayMs: 10 });
  try {
    const hooks = threadedStylizerTestHooks(threaded)!;
    hooks.onDispatch = (lane) => hooks.crashWorker(lane);
    const frame = { data: picture(16, 16, 9), width: 16, height: 16, pts: 0, index: 0 };
    await assert.rejects(threaded.run([frame]), (err: unknown) => err instanceof WorkerCrashedError && err.code === 'E_WORKER_CRASHED' && !err.message.includes('\n'));
    hooks.onDispatch = undefined;
    assert.equal((await threaded.run([frame])).length, 1);
    assert.equal(threaded.restarts, 2);
  } finally {
    await threaded.close();
  }
});

void test('a worker that does not load its model in time is stopped with a clear error', async () => {
  await assert.rejects(createThreadedStylizer({ model: modelDir, threads: 1, startTimeoutMs: 1 }), /did not load its model within 1 ms \(startTimeoutMs\)/);
});

void test('restart backoff doubles per failure in a row, up to the cap', () => {
  assert.deepEqual([1, 2, 3, 4, 10].map((n) => restartDelay(n, 100, 1000)), [100, 200, 400, 800, 1000]);
});
