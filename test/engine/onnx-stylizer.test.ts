import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { BackendUnavailableError } from '../../src/errors.js';
import type { Frame } from '../../src/frame.js';
import { physicalCores } from '../../src/engine/cpu-cores.js';
import { createOnnxStylizer, cudaProviderInstalled, listExecutionProviders } from '../../src/engine/onnx-stylizer.js';
import { createModelPackage } from '../../src/model/model-package.js';
import { initParams } from '../../src/model/params.js';
import { getArchitecture } from '../../src/model/spec.js';

const spec = getArchitecture('fast');
const pkg = createModelPackage({ spec, params: initParams(spec, 3) });

function noise(index: number, width: number, height: number): Frame {
  const data = new Uint8Array(width * height * 3);
  let s = index + 1;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return { data, width, height, pts: 10 + index / 30, index };
}

void test('run keeps size, pts and index, and batching does not change the pixels', async () => {
  const stylizer = await createOnnxStylizer(pkg, { threads: 1 });
  try {
    assert.match(stylizer.description, /^onnx\/cpu fast \(1\.04M params, 1 thread\)$/);
    const frames = [noise(0, 37, 21), noise(1, 37, 21), noise(2, 37, 21)];
    const batched = await stylizer.run(frames);
    assert.deepEqual(batched.map((f) => [f.width, f.height, f.pts, f.index, f.data.length]), frames.map((f) => [37, 21, f.pts, f.index, 37 * 21 * 3]));
    for (let i = 0; i < frames.length; i++) {
      const [single] = await stylizer.run([frames[i]!]);
      assert.ok(single);
      const diff = single.data.reduce((m, v, j) => Math.max(m, Math.abs(v - batched[i]!.data[j]!)), 0);
      assert.ok(diff <= 1, `frame ${i} differs by ${diff} levels between batch and single run`);
    }
    // Different inputs give different outputs (the network is not ignoring its input).
    assert.notDeepEqual(batched[0]!.data, batched[1]!.data);
    assert.deepEqual(await stylizer.run([]), []);
    await assert.rejects(stylizer.run([noise(0, 8, 8), noise(1, 9, 8)]), /share its size/);
  } finally {
    await stylizer.close();
  }
});

void test('close is idempotent and a closed stylizer refuses to run', async () => {
  const stylizer = await createOnnxStylizer(pkg);
  await stylizer.close();
  await stylizer.close();
  await assert.rejects(stylizer.run([noise(0, 4, 4)]), /closed/);
});

void test('concurrent runs are serialised and each gets its own frames back', async () => {
  const stylizer = await createOnnxStylizer(pkg, { threads: 1 });
  try {
    const frames = [noise(0, 16, 12), noise(1, 16, 12), noise(2, 16, 12)];
    const outs = await Promise.all(frames.map((f) => stylizer.run([f])));
    assert.deepEqual(outs.map((o) => o[0]!.index), [0, 1, 2]);
  } finally {
    await stylizer.close();
  }
});

void test('cuda without the CUDA execution provider fails with the install step', async () => {
  if (cudaProviderInstalled()) return; // a GPU machine: nothing to check here
  await assert.rejects(createOnnxStylizer(pkg, { device: 'cuda' }), (err: unknown) => {
    assert.ok(err instanceof BackendUnavailableError);
    assert.equal(err.code, 'E_BACKEND_UNAVAILABLE');
    assert.match(err.message, /CUDA execution provider is not installed: .*ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install\.js/);
    return true;
  });
});

void test('listExecutionProviders reports cpu available and a fix for cuda when missing', () => {
  const eps = listExecutionProviders();
  assert.deepEqual(eps.find((e) => e.name === 'cpu'), { name: 'cpu', available: true });
  const cuda = eps.find((e) => e.name === 'cuda');
  assert.ok(cuda);
  assert.equal(cuda.available, cudaProviderInstalled());
  if (!cuda.available) assert.match(cuda.fix ?? '', /onnxruntime-node\/script\/install\.js/);
});

void test("threads 0 starts one intra-op thread per physical core, not ONNX Runtime's half of the hardware threads", async (t) => {
  if (process.platform !== 'linux') return t.skip('counts threads in /proc/self/task');
  const tasks = (): number => readdirSync('/proc/self/task').length;
  // A first session starts ONNX Runtime's process-wide threads; count only a session's own pool.
  await (await createOnnxStylizer(pkg, { threads: 1 })).close();
  for (const [threads, expected] of [[3, 3], [0, physicalCores()]] as const) {
    const before = tasks();
    const stylizer = await createOnnxStylizer(pkg, { threads });
    try {
      // The calling thread runs one share of the work; the pool adds the others.
      assert.equal(tasks() - before, expected - 1, `threads ${threads}`);
      assert.match(stylizer.description, new RegExp(`, ${expected} threads?\\)$`));
    } finally {
      await stylizer.close();
    }
  }
});
