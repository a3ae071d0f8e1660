/**
 * `DepthwiseConv2dNativeBackpropInput` for the wasm backend, which has none. Only the input gradient
 * is needed: the perceptual network is frozen, but the generator's gradient flows through its
 * depthwise convs. Same construction as the dense input gradient: a stride-1 depthwise conv of the
 * stride-dilated, padded dy with the spatially flipped filter (channel multiplier 1).
 */
import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { callWasmKernel, dilateByStride, release } from './wasm-kernel-calls.js';

interface BackpropInputAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

function depthwiseBackpropInput(args: { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs: unknown }): TensorInfo {
  const { backend } = args;
  const dy = args.inputs['dy'];
  const filter = args.inputs['filter'];
  if (dy === undefined || filter === undefined) throw new Error('DepthwiseConv2dNativeBackpropInput needs dy and filter');
  const attrs = args.attrs as BackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, true, 'channelsLast');
  const { batchSize, inHeight, inWidth, inChannels, filterHeight, filterWidth } = info;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error('wasm DepthwiseConv2dNativeBackpropInput: dilations are not supported');
  if (filter.shape[3] !== 1) throw new Error('wasm DepthwiseConv2dNativeBackpropInput: only channel multiplier 1 is supported');
  const temps: TensorInfo[] = [];
  try {
    const { dilated: dyd, height: dHeight, width: dWidth } = dilateByStride(backend, dy, info, inChannels, temps);
    const top = filterHeight - 1 - info.padInfo.top;
    const left = filterWidth - 1 - info.padInfo.left;
    if (top < 0 || left < 0) throw new Error('DepthwiseConv2dNativeBackpropInput: padding larger than the filter is not supported');
    const bottom = inHeight + filterHeight - 1 - top - dHeight;
    const right = inWidth + filterWidth - 1 - left - dWidth;
    let padded = dyd;
    if (top + left + Math.max(0, bottom) + Math.max(0, right) > 0) {
      padded = callWasmKernel(backend, 'PadV2', { x: dyd }, {
        paddings: [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]], constantValue: 0,
      });
      temps.push(padded);
    }
    if (bottom < 0 || right < 0) {
      const cut = callWasmKernel(backend, 'Slice', { x: padded }, {
        begin: [0, 0, 0, 0], size: [batchSize, inHeight + filterHeight - 1, inWidth + filterWidth - 1, inChannels],
      });
      temps.push(cut);
      padded = cut;
    }
    const flipped = callWasmKernel(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
    temps.push(flipped);
    return callWasmKernel(backend, 'DepthwiseConv2dNative', { x: padded, filter: flipped }, {
      strides: [1, 1], pad: 'valid', dilations: [1, 1], dimRoundingMode: undefined,
    });
  } finally {
    for (const t of temps) release(backend, t);
  }
}

export const depthwiseConv2dBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as KernelFunc,
};
