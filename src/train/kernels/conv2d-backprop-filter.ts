/**
 * `Conv2DBackpropFilter` for the wasm backend, which has none (tfjs falls back to nothing and
 * training a conv net fails). The filter gradient
 *   dW[kh,kw,ci,co] = Σ_{b,oy,ox} xpad[b, oy·s+kh, ox·s+kw, ci] · dy[b,oy,ox,co]
 * is itself a stride-1 convolution: the padded input with channels moved to the batch axis
 * ([ci, H, W, B]) convolved with dy as the filter ([oy, ox, B, co]) dilated by the stride. That runs
 * on the backend's XNNPACK forward Conv2D, the fastest thing the wasm backend has.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { callWasmKernel, release } from './wasm-kernel-calls.js';

interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

function conv2dBackpropFilter(args: { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs: unknown }): TensorInfo {
  const { backend } = args;
  const x = args.inputs['x'];
  const dy = args.inputs['dy'];
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs x and dy');
  const attrs = args.attrs as BackpropFilterAttrs;
  if (attrs.dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports NHWC only');
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { batchSize, inHeight, inWidth, inChannels, outChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Rows the conv reads: (outHeight-1)·stride + filterHeight. Pad up to that; a 'valid' conv whose
  // stride leaves rows unread gets a larger result, sliced below.
  const bottom = Math.max(0, (outHeight - 1) * strideHeight + filterHeight - inHeight - top);
  const right = Math.max(0, (outWidth - 1) * strideWidth + filterWidth - inWidth - left);
  const temps: TensorInfo[] = [];
  try {
    let xp = x;
    if (top + bottom + left + right > 0) {
      xp = callWasmKernel(backend, 'PadV2', { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
      temps.push(xp);
    }
    const xt = callWasmKernel(backend, 'Transpose', { x: xp }, { perm: [3, 1, 2, 0] }); // [ci, Hp, Wp, B]
    temps.push(xt);
    const dyt = callWasmKernel(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [oy, ox, B, co]
    temps.push(dyt);
    const conv = callWasmKernel(backend, 'Conv2D', { x: xt, filter: dyt }, {
      strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [strideHeight, strideWidth], dimRoundingMode: undefined,
    }); // [ci, ≥kh, ≥kw, co]
    temps.push(conv);
    let exact = conv;
    if (conv.shape[1] !== filterHeight || conv.shape[2] !== filterWidth) {
      exact = callWasmKernel(backend, 'Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [inChannels, filterHeight, filterWidth, outChannels] });
      temps.push(exact);
    }
    void batchSize;
    return callWasmKernel(backend, 'Transpose', { x: exact }, { perm: [1, 2, 0, 3] }); // [kh, kw, ci, co]
  } finally {
    for (const t of temps) release(backend, t);
  }
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
