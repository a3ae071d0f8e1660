/** src/train/kernels/conv2d-backprop-filter-geometry.ts: what the wasm and webgpu filter-gradient kernels read alike. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs';
import { backpropFilterGeometry } from '../../../src/train/kernels/conv2d-backprop-filter-geometry.js';

const info = (shape: number[]): TensorInfo => ({ dataId: {}, shape, dtype: 'float32' });
const call = (attrs: Record<string, unknown>, inputs: Record<string, TensorInfo> = { x: info([2, 7, 9, 3]), dy: info([2, 4, 5, 5]) }) =>
  ({ inputs, backend: {} as KernelBackend, attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 5], ...attrs } });

void test('rows are the batch\'s output pixels and k the filter taps, with tfjs\'s own output size and padding', () => {
  const g = backpropFilterGeometry(call({}), 'wasm');
  // 7×9 at stride 2, "same": ceil(7/2)×ceil(9/2) = 4×5 outputs per image, 2 images.
  assert.equal(g.info.outHeight, 4);
  assert.equal(g.info.outWidth, 5);
  assert.equal(g.rows, 2 * 4 * 5);
  assert.equal(g.k, 3 * 3 * 3);
  assert.equal(g.info.padInfo.top, 1);
  assert.equal(g.info.padInfo.left, 1);
  assert.equal(backpropFilterGeometry(call({ pad: 'valid', strides: 1 }, { x: info([1, 7, 9, 3]), dy: info([1, 5, 7, 5]) }), 'wasm').rows, 5 * 7);
});

void test('a missing input and NCHW are refused, naming the backend', () => {
  assert.throws(() => backpropFilterGeometry(call({}, { x: info([1, 4, 4, 3]) }), 'wasm'), /needs x and dy/);
  assert.throws(() => backpropFilterGeometry(call({ dataFormat: 'NCHW' }), 'webgpu'), /^Error: webgpu Conv2DBackpropFilter \(training kernel\) supports NHWC only$/);
});
