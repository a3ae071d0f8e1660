import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ort } from '../../../src/engine/onnx-runtime.js';
import sharp from 'sharp';
import { createStylizer } from '../../../src/engine/create-stylizer.js';
import { InputError, ModelError } from '../../../src/errors.js';
import type { Frame } from '../../../src/frame.js';
import { loadModelPackage, saveModelPackage } from '../../../src/model/model-package.js';
import { initParams } from '../../../src/model/params.js';
import { getArchitecture } from '../../../src/model/spec.js';
import { decodeModel } from '../../../src/model/quantize/qdq-graph.js';
import { int8CopyDir, onnxFingerprint, preferInt8Copy } from '../../../src/model/quantize/int8-copy.js';
import { quantizeModel } from '../../../src/model/quantize/quantize-model.js';
import { DEFAULT_MODEL_DIR } from '../../../src/project-paths.js';
import { scaleDownFastHeads } from '../../pipeline/random-model.js';

let root: string;
let photos: string;
/** A random-weight `fast` package whose residual outputs are scaled down so it behaves like a trained one (photo + a moderate change). */
let fpDir: string;
let int8Dir: string;

/** A generated photo-like frame: a colour gradient, a few discs and edges, mild noise (seeded). */
function generatedFrame(width: number, height: number, seed: number): Frame {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const discs = Array.from({ length: 4 }, () => ({ x: rnd() * width, y: rnd() * height, r: 8 + rnd() * height * 0.3, c: [rnd() * 255, rnd() * 255, rnd() * 255] }));
  const base = [rnd() * 255, rnd() * 255, rnd() * 255];
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c = [base[0]! * (x / width), base[1]! * (y / height), base[2]! * (1 - x / width)];
      for (const d of discs) if ((x - d.x) ** 2 + (y - d.y) ** 2 < d.r ** 2) c = d.c;
      for (let k = 0; k < 3; k++) data[(y * width + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(c[k]! + (rnd() - 0.5) * 12)));
    }
  }
  return { data, width, height, pts: 0, index: 0 };
}

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'japananime-quantize-'));
  photos = path.join(root, 'photos');
  await mkdir(path.join(photos, 'nested'), { recursive: true });
  for (let i = 0; i < 10; i++) {
    const f = generatedFrame(160, 96, 100 + i);
    await sharp(f.data, { raw: { width: 160, height: 96, channels: 3 } }).png().toFile(path.join(photos, i < 5 ? '' : 'nested', `p${i}.png`));
  }
  fpDir = path.join(root, 'model');
  const spec = getArchitecture('fast');
  const params = initParams(spec, 7);
  // Behaves like a trained one: photo + a moderate change, not clipped (see scaleDownFastHeads).
  scaleDownFastHeads(params);
  await saveModelPackage(fpDir, { spec, params, meta: { training: { kind: 'random', seed: 7 }, license: 'CC0-1.0' } });
  await writeFile(path.join(fpDir, 'LICENSE.txt'), 'CC0\n');
  int8Dir = path.join(root, 'model-int8');
  await quantizeModel({ model: fpDir, out: int8Dir, calibration: [photos], frames: 10 });
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

void test('the int8 package round-trips: precision, calibration record, source fingerprint, documents, fp32 tfjs weights', async () => {
  const fp = await loadModelPackage(fpDir);
  const q = await loadModelPackage(int8Dir);
  assert.equal(q.meta.precision, 'int8');
  assert.equal(q.meta.architecture, fp.meta.architecture);
  const rec = q.meta.quantization!;
  assert.equal(rec['sourceOnnxSha256'], onnxFingerprint(fp.onnx));
  assert.deepEqual((rec['calibration'] as { rule: string; percentile: number; frames: number }).rule, 'percentile');
  assert.equal((rec['calibration'] as { percentile: number }).percentile, 99.99);
  assert.equal((rec['calibration'] as { frames: number }).frames, 10);
  assert.ok((rec['quantizedConvs'] as number) >= 10);
  for (const [name, p] of fp.params) assert.deepEqual(q.params.get(name)?.data, p.data, name);
  // Licences and attribution travel with the copy.
  assert.deepEqual((await readdir(int8Dir)).sort(), ['LICENSE.txt', 'meta.json', 'model.onnx', 'tfjs']);
  // int8 weights: the file is about a quarter of the fp32 one.
  assert.ok(q.onnx.length < fp.onnx.length * 0.4, `${q.onnx.length} vs ${fp.onnx.length}`);
});

void test('ONNX Runtime fuses every quantised Conv into an int8 kernel (QLinearConv in the optimised model)', async () => {
  const q = await loadModelPackage(int8Dir);
  const optimized = path.join(root, 'optimized.onnx');
  const session = await ort.InferenceSession.create(q.onnx, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, optimizedModelFilePath: optimized, logSeverityLevel: 3 });
  await session.release();
  const ops = new Map<string, number>();
  for (const n of decodeModel(await readFile(optimized)).graph?.node ?? []) ops.set(n.opType ?? '', (ops.get(n.opType ?? '') ?? 0) + 1);
  assert.equal(ops.get('QLinearConv'), q.meta.quantization!['quantizedConvs'], `ops: ${JSON.stringify([...ops])}`);
  // The thin (≤ 3-channel) Convs stay fp32 by default: stem, head, palette output.
  assert.ok((ops.get('QLinearConv') ?? 0) >= 8);
  // fast's nearest upsampling runs as uint8 data movement (rewriteBlockUpsampling), not ORT's channels-last Resize.
  assert.equal(ops.get('Resize'), undefined, `ops: ${JSON.stringify([...ops])}`);
  // Every LeakyReLU and Add between quantised tensors runs in uint8: the three residual Adds and the
  // full-resolution skip, none left in fp32 between a DequantizeLinear and a QuantizeLinear.
  assert.equal(ops.get('LeakyRelu'), undefined, `ops: ${JSON.stringify([...ops])}`);
  assert.equal(ops.get('QLinearAdd'), 4, `ops: ${JSON.stringify([...ops])}`);
  // One way back to fp32, into the fp32 head; the upsamplings' Shape reads uint8, not a dequantised copy.
  assert.equal(ops.get('DequantizeLinear'), 1, `ops: ${JSON.stringify([...ops])}`);
});

/** Mean and 99th percentile of |fp32 - int8| over generated frames that were not calibrated on, through the real Stylizer. */
async function int8Error(fp32: string, int8: string): Promise<{ mean: number; p99: number }> {
  const fp = await createStylizer({ model: fp32, threads: 1 });
  const q = await createStylizer({ model: int8, threads: 1 });
  const hist = new Float64Array(256);
  let sum = 0;
  let n = 0;
  try {
    for (let i = 0; i < 4; i++) {
      const frame = generatedFrame(i % 2 ? 200 : 128, i % 2 ? 112 : 128, 900 + i);
      const [a] = await fp.run([frame]);
      const [b] = await q.run([frame]);
      for (let k = 0; k < a!.data.length; k++) {
        const d = Math.abs(a!.data[k]! - b!.data[k]!);
        hist[d]! += 1;
        sum += d;
        n += 1;
      }
    }
  } finally {
    await fp.close();
    await q.close();
  }
  let acc = 0;
  let p99 = 0;
  while (acc + hist[p99]! < 0.99 * n) acc += hist[p99++]!;
  return { mean: sum / n, p99 };
}

void test('int8 output stays within 2 grey levels of fp32 on average (generated frames, through the Stylizer)', async (t) => {
  const { mean, p99 } = await int8Error(fpDir, int8Dir);
  t.diagnostic(`int8 vs fp32: mean ${mean.toFixed(3)} grey levels, 99th percentile ${p99}`);
  assert.ok(mean <= 2, `mean abs difference ${mean}`);
  assert.ok(mean > 0, 'the int8 model must not be the fp32 one');
});

void test('the shipped default model keeps the bound too, when it fits this version of its architecture', async (t) => {
  try {
    await loadModelPackage(DEFAULT_MODEL_DIR);
  } catch (err) {
    // models/default is retrained after an architecture change lands; until then it cannot load at all.
    t.skip(`models/default does not load: ${(err as Error).message}`);
    return;
  }
  const out = path.join(root, 'default-int8');
  await quantizeModel({ model: DEFAULT_MODEL_DIR, out, calibration: [photos], frames: 10 });
  const { mean, p99 } = await int8Error(DEFAULT_MODEL_DIR, out);
  t.diagnostic(`default int8 vs fp32: mean ${mean.toFixed(3)} grey levels, 99th percentile ${p99}`);
  assert.ok(mean <= 2, `mean abs difference ${mean}`);
});

void test('an int8 package cannot be quantised again; nothing is written', async () => {
  const out = path.join(root, 'twice');
  await assert.rejects(quantizeModel({ model: int8Dir, out, calibration: [photos], frames: 2 }), (err: unknown) => {
    assert.ok(err instanceof ModelError);
    assert.match(err.message, /already an int8 package; quantise .*model instead/);
    return true;
  });
  assert.equal(existsSync(out), false);
});

void test('a calibration folder without images is one clear error; nothing is written', async () => {
  const empty = path.join(root, 'empty');
  await mkdir(path.join(empty, 'sub'), { recursive: true });
  const out = path.join(root, 'never');
  await assert.rejects(quantizeModel({ model: fpDir, out, calibration: [empty] }), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.code, 'E_INPUT_INVALID');
    assert.match(err.message, /holds no \.jpg, \.png or \.webp images/);
    return true;
  });
  assert.equal(existsSync(out), false);
  assert.deepEqual((await readdir(root)).filter((e) => e.startsWith('.')), [], 'no temp folder left');
});

void test('a server prefers the int8 copy beside a package only when it was made from that exact model', async () => {
  assert.equal(int8CopyDir(fpDir), int8Dir);
  assert.deepEqual(preferInt8Copy(fpDir), { dir: int8Dir, precision: 'int8' });
  // An int8 package asked for by name is used as it is.
  assert.deepEqual(preferInt8Copy(int8Dir), { dir: int8Dir, precision: 'int8' });
  // Another model with a stale copy (made from the first) beside it: the fp32 model, and why.
  const other = path.join(root, 'other');
  const spec = getArchitecture('fast');
  await saveModelPackage(other, { spec, params: initParams(spec, 3) });
  await cp(int8Dir, path.join(root, 'other-int8'), { recursive: true });
  const chosen = preferInt8Copy(other);
  assert.equal(chosen.dir, other);
  assert.equal(chosen.precision, 'fp32');
  assert.match(chosen.skipped ?? '', /made from another version of .*other \(remake it with: japananime quantize/);
  // No copy at all: the package itself, nothing to say.
  assert.deepEqual(preferInt8Copy(path.join(root, 'photos')), { dir: path.join(root, 'photos'), precision: 'fp32' });
});
