/**
 * `DepthwiseConv2dNativeBackpropInput` for the wasm backend, which has none. Only the input gradient
 * is needed: the perceptual network is frozen, but the generator's gradient flows through its
 * depthwise convs. Same construction as the dense input gradient: a stride-1 depthwise conv of the
 * stride-dilated, padded dy with the spatially flipped filter (channel multiplier 1).
 */
import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { callWasmKernel, fullConvInput, release } from './wasm-kernel-calls.js';

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
  const { inChannels } = info;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error('wasm DepthwiseConv2dNativeBackpropInput: dilations are not supported');
  if (filter.shape[3] !== 1) throw new Error('wasm DepthwiseConv2dNativeBackpropInput: only channel multiplier 1 is supported');
  const temps: TensorInfo[] = [];
  try {
    const padded = fullConvInput(backend, dy, info, inChannels, 'DepthwiseConv2dNativeBackpropInput', temps);
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
