import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { exportOnnx, inspectOnnx, kernelToOnnx, ONNX_INPUT_NAME, ONNX_OPSET, ONNX_OUTPUT_NAME, samePads } from '../../src/model/onnx-export.js';
import { OnnxType } from '../../src/model/onnx-graph.js';
import { cloneParams, initParams } from '../../src/model/params.js';
import { getArchitecture } from '../../src/model/spec.js';

void test('samePads follows TensorFlow: the odd pixel goes at the end', () => {
  assert.deepEqual(samePads(3, 1), [1, 1]);
  assert.deepEqual(samePads(7, 1), [3, 3]);
  assert.deepEqual(samePads(3, 2), [0, 1]);
  assert.deepEqual(samePads(4, 2), [1, 1]);
  assert.deepEqual(samePads(1, 2), [0, 0]);
});

void test('kernelToOnnx moves tfjs [kh,kw,a,b] to ONNX [b,a,kh,kw]', () => {
  const shape = [2, 3, 4, 5];
  const data = Float32Array.from({ length: 120 }, (_, i) => i);
  const { dims, data: out } = kernelToOnnx(data, shape);
  assert.deepEqual(dims, [5, 4, 2, 3]);
  // element [i=1, j=2, p=3, q=4] of tfjs is element [q=4, p=3, i=1, j=2] of ONNX.
  const src = ((1 * 3 + 2) * 4 + 3) * 5 + 4;
  const dst = ((4 * 4 + 3) * 2 + 1) * 3 + 2;
  assert.equal(out[dst], src);
});

void test('the exported graph declares uint8 NHWC in and out, opset 17, and its architecture', () => {
  const spec = getArchitecture('fast');
  const bytes = exportOnnx(spec, initParams(spec, 1), { metadata: { note: 'x' } });
  const s = inspectOnnx(bytes);
  assert.equal(s.opset, ONNX_OPSET);
  assert.deepEqual(s.inputs, [{ name: ONNX_INPUT_NAME, elemType: OnnxType.UINT8 }]);
  assert.deepEqual(s.outputs, [{ name: ONNX_OUTPUT_NAME, elemType: OnnxType.UINT8 }]);
  assert.equal(s.metadata['architecture'], 'fast');
  assert.equal(s.metadata['note'], 'x');
  // 4 bytes per parameter plus a small graph.
  assert.ok(bytes.length > 1_043_078 * 4 && bytes.length < 1_043_078 * 4 + 100_000);
});

void test('exportOnnx refuses the discriminator and mismatched parameters', () => {
  assert.throws(() => exportOnnx(getArchitecture('patchgan'), initParams(getArchitecture('patchgan'), 1)), /not a generator/);
  const spec = getArchitecture('fast');
  const p = cloneParams(initParams(spec, 1));
  p.delete('res1/conv1/kernel');
  assert.throws(() => exportOnnx(spec, p), /missing parameter 'res1\/conv1\/kernel'/);
  assert.throws(() => inspectOnnx(new TextEncoder().encode('definitely not protobuf at all')));
});

void test('ONNX Runtime runs the graph with dynamic N, H, W and keeps the shape', async () => {
  const spec = getArchitecture('fast');
  const session = await ort.InferenceSession.create(exportOnnx(spec, initParams(spec, 1)));
  try {
    for (const [n, h, w] of [[2, 7, 9], [1, 16, 16], [3, 1, 5]] as const) {
      const data = Uint8Array.from({ length: n * h * w * 3 }, (_, i) => (i * 37) % 256);
      const out = (await session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('uint8', data, [n, h, w, 3]) }))[ONNX_OUTPUT_NAME];
      assert.ok(out);
      assert.equal(out.type, 'uint8');
      assert.deepEqual(out.dims, [n, h, w, 3]);
    }
  } finally {
    await session.release();
  }
});
