/**
 * `--device webgpu` for inference. ONNX Runtime's WebGPU provider needs a Vulkan/D3D12 adapter (none
 * on a GPU-less CI machine: then the check is its one-line error); the tfjs engine runs on whatever
 * adapter Dawn finds, llvmpipe included, and must agree with the wasm backend.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createStylizer } from '../../src/engine/create-stylizer.js';
import type { Frame } from '../../src/frame.js';
import { BackendUnavailableError } from '../../src/errors.js';
import { loadModelPackage, saveModelPackage, type ModelPackage } from '../../src/model/model-package.js';
import { initParams } from '../../src/model/params.js';
import { getArchitecture } from '../../src/model/spec.js';
import { webGpuSkipReason } from '../train/webgpu-available.js';

const skip = await webGpuSkipReason();

// A randomly initialised fast generator (not the identity it starts training as), so the output differs from the input.
let root = '';
let model: ModelPackage;
before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'japananime-webgpu-device-'));
  const spec = getArchitecture('fast');
  await saveModelPackage(path.join(root, 'm'), { spec, params: initParams(spec, 7) });
  model = await loadModelPackage(path.join(root, 'm'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function frame(width: number, height: number): Frame {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i % 7) * 11) & 255;
  return { data, width, height, pts: 0, index: 0 };
}

async function stylizeOnce(options: Parameters<typeof createStylizer>[0], input: Frame): Promise<{ out: Frame; description: string }> {
  const stylizer = await createStylizer(options);
  try {
    const [out] = await stylizer.run([input]);
    return { out: out!, description: stylizer.description };
  } finally {
    await stylizer.close();
  }
}

function maxByteDiff(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test('onnx --device webgpu: matches the cpu, or fails with one line naming what is missing', async () => {
  const input = frame(24, 16);
  const cpu = await stylizeOnce({ model, threads: 1 }, input);
  let gpu;
  try {
    gpu = await stylizeOnce({ model, device: 'webgpu' }, input);
  } catch (err) {
    assert.ok(err instanceof BackendUnavailableError, `not a typed error: ${String(err)}`);
    assert.doesNotMatch(err.message, /\n/);
    assert.match(err.message, /--device webgpu: .*(Vulkan|no WebGPU execution provider)/);
    return;
  }
  assert.match(gpu.description, /^onnx\/webgpu /);
  // float32 on both; the uint8 output rounds, so one level of difference is a rounding boundary.
  assert.ok(maxByteDiff(gpu.out.data, cpu.out.data) <= 2, `webgpu and cpu differ by ${maxByteDiff(gpu.out.data, cpu.out.data)}`);
});

test('tfjs --device webgpu stylizes like tfjs on wasm', { skip }, async () => {
  const input = frame(24, 16);
  const wasm = await stylizeOnce({ model, engine: 'tfjs' }, input);
  const gpu = await stylizeOnce({ model, engine: 'tfjs', device: 'webgpu' }, input);
  assert.match(gpu.description, /^tfjs\/webgpu /);
  assert.ok(maxByteDiff(gpu.out.data, wasm.out.data) <= 2, `webgpu and wasm differ by ${maxByteDiff(gpu.out.data, wasm.out.data)}`);
  assert.ok(maxByteDiff(gpu.out.data, input.data) > 0, 'the model changed the picture');
});
