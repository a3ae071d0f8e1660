import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initTfjs } from '../../src/engine/tfjs-backend.js';
import { initParams } from '../../src/model/params.js';
import { getArchitecture } from '../../src/model/spec.js';
import { forward, guidedFilterTf, inkTf, kuwaharaTf, padEdgeToMultiple, upsampleNearestTf, paramsToTensors, paramsToVariables, stylizeImagesTf, tensorsToParams } from '../../src/model/tfjs-forward.js';

void test('generators keep H and W; the discriminator gives 1/4-resolution logits', async () => {
  await initTfjs('wasm');
  for (const [arch, expected] of [['fast', [2, 16, 24, 3]], ['cartoongan', [2, 16, 24, 3]], ['patchgan', [2, 4, 6, 1]]] as const) {
    const spec = getArchitecture(arch);
    const vars = paramsToTensors(initParams(spec, 1));
    const y = tf.tidy(() => forward(spec, vars, tf.randomUniform([2, 16, 24, 3], -1, 1) as tf.Tensor4D));
    assert.deepEqual(y.shape, expected, arch);
    assert.ok(y.dataSync().every(Number.isFinite));
  }
});

void test('forward names a missing parameter', async () => {
  await initTfjs('wasm');
  const spec = getArchitecture('fast');
  const vars = paramsToTensors(initParams(spec, 1));
  delete vars['up1/conv/bias'];
  assert.throws(() => forward(spec, vars, tf.zeros([1, 8, 8, 3])), /missing parameter 'up1\/conv\/bias'/);
});

void test('gradients reach every parameter of fast and patchgan (cpu backend)', async () => {
  // The wasm backend needs the trainer's Conv2DBackpropFilter kernel; the cpu backend has all.
  await initTfjs('cpu');
  for (const arch of ['fast', 'patchgan'] as const) {
    const spec = getArchitecture(arch);
    const params = initParams(spec, 2);
    const vars = paramsToVariables(params, true, `${arch}/`);
    const x = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
    const { grads } = tf.variableGrads(() => tf.mean(tf.square(forward(spec, vars, x))) as tf.Scalar, Object.values(vars));
    for (const [name, v] of Object.entries(vars)) {
      const g = grads[v.name];
      assert.ok(g, `${arch}: no gradient for ${name}`);
      assert.ok(g.dataSync().every(Number.isFinite), `${arch}: non-finite gradient for ${name}`);
      // A conv bias right before an instance norm is cancelled by it (gradient ~0), so only kernels
      // and norm parameters must move.
      if (!name.endsWith('/bias') || name.includes('norm')) assert.ok(g.dataSync().some((e) => e !== 0), `${arch}: zero gradient for ${name}`);
    }
    for (const v of Object.values(vars)) v.dispose();
  }
});

void test('fast starts training as the photo itself (residual on the photo, zero last convs)', async () => {
  await initTfjs('cpu');
  const spec = getArchitecture('fast');
  const params = initParams(spec, 5, { identityStart: true });
  assert.ok(params.get('conv_out/kernel')!.data.every((v) => v === 0));
  // Without identityStart the network is random everywhere, and the other parameters are the same.
  const random = initParams(spec, 5);
  assert.ok(random.get('conv_out/kernel')!.data.some((v) => v !== 0));
  assert.deepEqual(random.get('res1/conv1/kernel')!.data, params.get('res1/conv1/kernel')!.data);
  assert.ok(params.get('res1/conv1/kernel')!.data.some((v) => v !== 0));
  const vars = paramsToVariables(params, false, 'identity/');
  const x = tf.randomUniform([2, 16, 12, 3], -1, 1, 'float32', 6) as tf.Tensor4D;
  const y = forward(spec, vars, x);
  // Both residual branches (palette, main) add exactly 0: a fresh generator is the photo's Kuwahara
  // surface with its ink outlines, the fixed layers around the learned ones.
  const [surface, , , ink] = spec.layers;
  assert.equal(surface?.op, 'kuwahara');
  assert.equal(ink?.op, 'ink');
  if (surface?.op !== 'kuwahara' || ink?.op !== 'ink') return;
  assert.deepEqual(Array.from(y.dataSync()), Array.from(inkTf(kuwaharaTf(x, surface.radius, surface.temperature), ink).dataSync()));
  for (const v of Object.values(vars)) v.dispose();
});

void test('the Kuwahara surface flattens texture on each side of a border and keeps the border a step', async () => {
  await initTfjs('cpu');
  const w = 24;
  let seed = 7;
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const data = new Float32Array(w * w * 3);
  for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = (x < w / 2 ? -0.5 : 0.5) + 0.08 * rand();
  const out = kuwaharaTf(tf.tensor4d(data, [1, w, w, 3]), 3, 0.002).dataSync();
  const std = (img: ArrayLike<number>, x0: number, x1: number): number => {
    const v: number[] = [];
    for (let y = 3; y < w - 3; y++) for (let x = x0; x < x1; x++) v.push(img[(y * w + x) * 3]!);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
  };
  assert.ok(std(out, 3, 9) < std(data, 3, 9) * 0.5, 'texture not flattened');
  // The border stays a step: the pixels either side of it keep their side's level (a blur would meet in the middle).
  const row = (w / 2) * w;
  assert.ok(out[(row + w / 2 - 1) * 3]! < -0.4 && out[(row + w / 2) * 3]! > 0.4, `border smeared: ${out[(row + w / 2 - 1) * 3]} ${out[(row + w / 2) * 3]}`);
});

void test('the ink draws a dark line on the dark side of a strong border, none on a flat area or a faint step', async () => {
  await initTfjs('cpu');
  const w = 24;
  const img = (contrast: number): tf.Tensor4D => tf.tensor4d(Array.from({ length: w * w * 3 }, (_, i) => ((Math.floor(i / 3) % w) < w / 2 ? -contrast / 2 : contrast / 2)), [1, w, w, 3]);
  const layer = { sigma1: 1, sigma2: 1.6, eps: 0.01, phi: 20, strength: 0.7 };
  const strong = inkTf(img(0.8), layer).dataSync();
  const row = (w / 2) * w;
  // The pixel just left of the border (dark side) is darkened well below its region's -0.4.
  assert.ok(strong[(row + w / 2 - 1) * 3]! < -0.6, `no line: ${strong[(row + w / 2 - 1) * 3]}`);
  // Far from the border, and at the picture's own edges, nothing changes.
  for (const x of [0, 3, w - 4, w - 1]) assert.ok(Math.abs(strong[(row + x) * 3]! - (x < w / 2 ? -0.4 : 0.4)) < 1e-5, `changed at x=${x}`);
  const faint = inkTf(img(0.05), layer).dataSync();
  assert.ok(Math.abs(faint[(row + w / 2 - 1) * 3]! + 0.025) < 1e-5, 'a faint step drew a line');
});

void test('nearest upsampling copies each pixel into a 2×2 block, and its gradient sums the block', async () => {
  await initTfjs('cpu');
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
  assert.deepEqual(Array.from(upsampleNearestTf(x, 2).dataSync()), [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6]);
  const w = tf.tensor4d(Array.from({ length: 24 }, (_, i) => i), [1, 4, 6, 1]);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(upsampleNearestTf(t as tf.Tensor4D, 2), w)))(x);
  // Block of pixel (0,0): weights 0,1,6,7.
  assert.equal(g.dataSync()[0], 0 + 1 + 6 + 7);
  assert.equal(g.dataSync()[5], 16 + 17 + 22 + 23);
});

void test('the guided filter flattens low-contrast texture and keeps a strong edge', async () => {
  await initTfjs('wasm');
  // 1×24×24×1: a step from -0.6 to 0.6 at x = 12, plus a ±0.05 checker texture everywhere.
  const size = 24;
  const values = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) values[y * size + x] = (x < 12 ? -0.6 : 0.6) + ((x + y) % 2 === 0 ? 0.05 : -0.05);
  const img = tf.tensor4d(values, [1, size, size, 1]);
  const out = guidedFilterTf(img, img, 2, 0.01).dataSync();
  const at = (x: number, y: number): number => out[y * size + x]!;
  // Inside a region the ±0.05 texture shrinks to well under half; the step keeps most of its 1.2.
  assert.ok(Math.abs(at(4, 10) - at(5, 10)) < 0.04, `texture ${Math.abs(at(4, 10) - at(5, 10))}`);
  assert.ok(at(13, 10) - at(10, 10) > 1.0, `edge ${at(13, 10) - at(10, 10)}`);
  // A constant image is a fixed point.
  const flat = guidedFilterTf(tf.fill([1, 8, 8, 3], 0.3) as tf.Tensor4D, tf.fill([1, 8, 8, 3], 0.3) as tf.Tensor4D, 2, 0.01).dataSync();
  assert.ok(flat.every((v) => Math.abs(v - 0.3) < 1e-6));
});

void test('tensorsToParams reads back what paramsToTensors wrote', async () => {
  await initTfjs('wasm');
  const spec = getArchitecture('fast');
  const p = initParams(spec, 9);
  const q = tensorsToParams(paramsToTensors(p), p.keys());
  assert.deepEqual([...q.keys()], [...p.keys()]);
  assert.deepEqual(q.get('res2/conv2/kernel')?.data, p.get('res2/conv2/kernel')?.data);
});

void test('padEdgeToMultiple repeats the last row and column', async () => {
  await initTfjs('wasm');
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
  const y = padEdgeToMultiple(x, 4);
  assert.deepEqual(y.shape, [1, 4, 4, 1]);
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 3, 4, 5, 6, 6, 4, 5, 6, 6, 4, 5, 6, 6]);
  assert.equal(padEdgeToMultiple(tf.zeros([1, 8, 4, 2]) as tf.Tensor4D, 4).shape[1], 8);
});

void test('stylizeImagesTf returns 0..255 integers of the input size', async () => {
  await initTfjs('wasm');
  const spec = getArchitecture('fast');
  const vars = paramsToTensors(initParams(spec, 1));
  const images = tf.randomUniform([1, 13, 10, 3], 0, 256, 'int32', 3) as tf.Tensor4D;
  const y = stylizeImagesTf(spec, vars, images);
  assert.deepEqual(y.shape, [1, 13, 10, 3]);
  assert.equal(y.dtype, 'int32');
  const v = y.dataSync();
  assert.ok(v.every((e) => Number.isInteger(e) && e >= 0 && e <= 255));
  assert.ok(new Set(v).size > 10, 'output is not constant');
  assert.throws(() => stylizeImagesTf(getArchitecture('patchgan'), vars, images), /not a generator/);
});
