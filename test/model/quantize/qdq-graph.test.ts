import assert from 'node:assert/strict';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import { ort } from '../../../src/engine/onnx-runtime.js';
import { OnnxGraphBuilder, OnnxType } from '../../../src/model/onnx-graph.js';
import {
  applyQuantization,
  decodeModel,
  encodeModel,
  isQuantizedGraph,
  planQuantization,
  quantizeWeightsPerChannel,
  rewriteBlockUpsampling,
  uint8Params,
  type ActivationParams,
} from '../../../src/model/quantize/qdq-graph.js';

const { onnx } = onnxProto;

/** Deterministic values in [-1, 1). */
function lcg(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** x[1,4,8,8] → Conv 4→8 → LeakyRelu → Resize ×2 nearest → Conv 8→6 → InstanceNorm → y. */
function tinyModel(): Uint8Array {
  const g = new OnnxGraphBuilder();
  const pads = { kernel_shape: [3, 3], pads: [1, 1, 1, 1] };
  const c1 = g.node('Conv', ['x', g.floatInit('w1', [8, 4, 3, 3], lcg(288, 1).map((v) => v * 0.3)), g.floatInit('b1', [8], lcg(8, 2))], pads, 'c1');
  const a1 = g.node('LeakyRelu', [c1], { alpha: { float: 0.2 } }, 'a1');
  const emptyRoi = g.floatInit('roi', [0], []);
  const up = g.node('Resize', [a1, emptyRoi, g.floatInit('scales', [4], [1, 1, 2, 2])], { mode: 'nearest' }, 'up');
  const c2 = g.node('Conv', [up, g.floatInit('w2', [6, 8, 3, 3], lcg(432, 3).map((v) => v * 0.2)), g.floatInit('b2', [6], lcg(6, 4))], pads, 'c2');
  g.node('InstanceNormalization', [c2, g.floatInit('s', [6], [1, 1, 1, 1, 1, 1]), g.floatInit('b', [6], [0, 0, 0, 0, 0, 0])], { epsilon: { float: 1e-5 } }, 'y');
  const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: OnnxType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'tiny', node: g.nodes, initializer: g.initializers, input: [vi('x', [1, 4, 8, 8])], output: [vi('y', [1, 6, 16, 16])] },
  });
  return onnx.ModelProto.encode(model).finish();
}

void test('uint8Params represent 0 exactly and span the range', () => {
  const p = uint8Params(-1, 3);
  assert.ok(Math.abs(p.scale - 4 / 255) < 1e-9);
  assert.equal(p.zeroPoint, 64);
  assert.deepEqual(uint8Params(0.5, 2), { scale: 2 / 255, zeroPoint: 0 }); // widened to hold 0
  assert.deepEqual(uint8Params(0, 0), { scale: 1, zeroPoint: 0 });
});

void test('weights are symmetric int8 with one scale per output channel', () => {
  const w = Float32Array.of(1, -0.5, 0.25, 0.01, -0.02, 0);
  const { q, scales } = quantizeWeightsPerChannel(w, 2);
  assert.deepEqual([...q], [127, -64, 32, 64, -127, 0]);
  assert.ok(Math.abs(scales[0]! - 1 / 127) < 1e-9 && Math.abs(scales[1]! - 0.02 / 127) < 1e-9);
});

void test('the plan quantises every Conv and shares the scale across a nearest Resize', () => {
  const plan = planQuantization(decodeModel(tinyModel()));
  assert.deepEqual(plan.convs, ['c1', 'c2']);
  assert.deepEqual(new Set(plan.tensors), new Set(['x', 'c1', 'a1', 'up', 'c2']));
  assert.equal(plan.group.get('a1'), plan.group.get('up'));
  assert.notEqual(plan.group.get('c1'), plan.group.get('a1'));
  // Thin convs (≤ 6 channels here: c2 has 6 outputs, c1 has 4 inputs) can be left fp32.
  assert.deepEqual(planQuantization(decodeModel(tinyModel()), { keepThinConvs: 6 }).convs, []);
});

void test('a LeakyReLU or Add whose inputs are all quantised is quantised too (uint8 kernels in ORT), unless turned off', () => {
  // x → Conv a → LeakyRelu r → Add(r, stem) → Conv 8→3 (thin: kept fp32) → y, with stem = Conv of x.
  const g = new OnnxGraphBuilder();
  const pads = { kernel_shape: [3, 3], pads: [1, 1, 1, 1] };
  const stem = g.node('Conv', ['x', g.floatInit('w0', [8, 4, 3, 3], lcg(288, 5)), g.floatInit('b0', [8], lcg(8, 6))], pads, 'stem');
  const a = g.node('Conv', [stem, g.floatInit('w1', [8, 8, 3, 3], lcg(576, 7)), g.floatInit('b1', [8], lcg(8, 8))], pads, 'a');
  const r = g.node('LeakyRelu', [a], { alpha: { float: 0.2 } }, 'r');
  const sum = g.node('Add', [r, stem], {}, 'sum');
  g.node('Conv', [sum, g.floatInit('w2', [3, 8, 3, 3], lcg(216, 9)), g.floatInit('b2', [3], lcg(3, 10))], pads, 'y');
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name: 'skip', node: g.nodes, initializer: g.initializers } });
  const plan = planQuantization(model, { keepThinConvs: 3 });
  assert.deepEqual(plan.convs, ['stem', 'a']);
  assert.deepEqual(new Set(plan.tensors), new Set(['x', 'stem', 'a', 'r', 'sum']));
  assert.deepEqual(new Set(planQuantization(model, { keepThinConvs: 3, elementwise: false }).tensors), new Set(['x', 'stem', 'a']));
});

void test('the QDQ graph runs in ORT with int8 kernels and stays close to fp32', async () => {
  const bytes = tinyModel();
  const model = decodeModel(bytes);
  const plan = planQuantization(model);
  // Ranges wide enough for this network's values (a real run calibrates them).
  const params = new Map<string, ActivationParams>();
  for (const t of plan.tensors) params.set(plan.group.get(t) ?? t, uint8Params(-4, 4));
  const summary = applyQuantization(model, plan, params);
  assert.equal(summary.quantizedConvs, 2);
  // The LeakyReLU between two quantised tensors runs as QLinearLeakyRelu: only the norm stays fp32.
  assert.deepEqual(summary.fp32Neighbours, { InstanceNormalization: 1 });
  const q = encodeModel(model);
  assert.ok(isQuantizedGraph(decodeModel(q)) && !isQuantizedGraph(decodeModel(bytes)));

  const x = new ort.Tensor('float32', lcg(256, 9), [1, 4, 8, 8]);
  const fp = await ort.InferenceSession.create(bytes);
  const qs = await ort.InferenceSession.create(q, { graphOptimizationLevel: 'all' });
  const a = (await fp.run({ x })).y!.data as Float32Array;
  const b = (await qs.run({ x })).y!.data as Float32Array;
  let err = 0;
  for (let i = 0; i < a.length; i++) err += Math.abs(a[i]! - b[i]!);
  // Normalised outputs (unit variance): a few uint8 steps of error at most.
  assert.ok(err / a.length < 0.05, `mean error ${err / a.length}`);
  await fp.release();
  await qs.release();
});

void test('a Conv feeding a nearest Resize shares its scale with the Resize output (groups merge)', () => {
  const g = new OnnxGraphBuilder();
  const k = { kernel_shape: [1, 1] };
  const c1 = g.node('Conv', ['x', g.floatInit('w1', [4, 4, 1, 1], lcg(16, 5))], k, 'c1');
  const up = g.node('Resize', [c1, '', g.floatInit('scales', [4], [1, 1, 2, 2])], { mode: 'nearest' }, 'up');
  g.node('Conv', [up, g.floatInit('w2', [4, 4, 1, 1], lcg(16, 6))], k, 'y');
  const model = onnx.ModelProto.create({ graph: { node: g.nodes, initializer: g.initializers, input: [{ name: 'x' }], output: [{ name: 'y' }] } });
  const plan = planQuantization(model);
  assert.equal(plan.group.get('c1'), plan.group.get('up'));
  assert.notEqual(plan.group.get('x'), plan.group.get('c1'));
});

/** x[1,3,5,7] → Resize (mode, coordinates) by the scales given → y. */
function resizeModel(attrs: Record<string, string>, scales: number[]): Uint8Array {
  const g = new OnnxGraphBuilder();
  g.node('Resize', ['x', '', g.floatInit('scales', [4], scales)], attrs, 'y');
  const vi = (name: string) => ({ name, type: { tensorType: { elemType: OnnxType.FLOAT } } });
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name: 'up', node: g.nodes, initializer: g.initializers, input: [vi('x')], output: [vi('y')] } });
  return onnx.ModelProto.encode(model).finish();
}

void test('block upsampling is rewritten into data-movement ops with exactly the same output; other resizes are left alone', async () => {
  const block = { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };
  for (const f of [2, 3]) {
    const original = resizeModel(block, [1, 1, f, f]);
    const model = decodeModel(original);
    assert.equal(rewriteBlockUpsampling(model), 1);
    assert.ok(!(model.graph?.node ?? []).some((n) => n.opType === 'Resize'));
    const x = new ort.Tensor('float32', lcg(3 * 5 * 7, 11 + f), [1, 3, 5, 7]);
    const a = await ort.InferenceSession.create(original);
    const b = await ort.InferenceSession.create(encodeModel(model));
    const ya = (await a.run({ x }))['y']!;
    const yb = (await b.run({ x }))['y']!;
    assert.deepEqual(yb.dims, [1, 3, 5 * f, 7 * f]);
    assert.deepEqual(yb.data, ya.data);
    await a.release();
    await b.release();
  }
  // Linear resizing makes new values, and a half-pixel or a non-integer nearest resize is no block copy.
  for (const [attrs, scales] of [[{ ...block, mode: 'linear' }, [1, 1, 2, 2]], [{ mode: 'nearest' }, [1, 1, 2, 2]], [block, [1, 1, 1.5, 1.5]], [block, [1, 1, 2, 3]]] as const) {
    assert.equal(rewriteBlockUpsampling(decodeModel(resizeModel(attrs, [...scales]))), 0, JSON.stringify([attrs, scales]));
  }
});
