/**
 * What the two `Conv2DBackpropFilter` kernels (wasm: conv2d-backprop-filter.ts, webgpu:
 * conv2d-backprop-filter-webgpu.ts) agree on before their backends part ways: the kernel's inputs and
 * attributes as tfjs hands them over, the NHWC-only rule, and the convolution's geometry (output size,
 * padding, strides) from tfjs's own computeConv2DInfo, so both read it the same way the forward conv did.
 * Both then compute dW = colᵀ · dy, with col the im2col of the padded input: rows = B·oh·ow output
 * pixels, k = kh·kw·ci filter taps.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs';

/** The attributes tfjs gives Conv2DBackpropFilter. */
interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export interface BackpropFilterGeometry {
  /** The forward conv's input, NHWC. */
  x: TensorInfo;
  /** The gradient of the forward conv's output, NHWC. */
  dy: TensorInfo;
  info: backend_util.Conv2DInfo;
  /** Output pixels over the batch: B·oh·ow, the reduction axis of colᵀ · dy. */
  rows: number;
  /** Filter taps per output channel: kh·kw·ci, the columns of col. */
  k: number;
}

/** Reads a Conv2DBackpropFilter call; `backendName` only names the kernel in its errors. */
export function backpropFilterGeometry(args: { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs: unknown }, backendName: string): BackpropFilterGeometry {
  const x = args.inputs['x'];
  const dy = args.inputs['dy'];
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs x and dy');
  const attrs = args.attrs as BackpropFilterAttrs;
  if (attrs.dataFormat === 'NCHW') throw new Error(`${backendName} Conv2DBackpropFilter (training kernel) supports NHWC only`);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  return { x, dy, info, rows: info.batchSize * info.outHeight * info.outWidth, k: info.filterHeight * info.filterWidth * info.inChannels };
}
