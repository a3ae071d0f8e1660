/**
 * `Conv2DBackpropFilter` for the webgpu backend, replacing tfjs's own. Theirs runs one thread per
 * filter element, each looping over the whole batch and image: a 3×3×32×32 filter is 9216 threads of
 * B·H·W multiply-adds each, far too few threads to fill a GPU and no reuse of loaded values.
 *
 *   dW[(kh,kw,ci), co] = Σ_{b,oy,ox} col[(b,oy,ox), (kh,kw,ci)] · dy[(b,oy,ox), co]
 *
 * is one matrix product colᵀ · dy, as in the wasm kernel (conv2d-backprop-filter.ts): an im2col
 * shader writes col, and the backend's own BatchMatMul (tiled in workgroup memory; split along the
 * long reduction axis when the output is small, which a filter gradient always is) does the rest.
 * col is made in chunks of output pixels so that one chunk stays within a storage buffer binding
 * (128 MiB on llvmpipe; ≥ 1 GiB on GPUs) and the kernel's memory stays bounded at any image size.
 */
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { webgpu_util } from '@tensorflow/tfjs-backend-webgpu';
import { backpropFilterGeometry } from './conv2d-backprop-filter-geometry.js';
import { callBackendKernel, release } from './wasm-kernel-calls.js';

/** What this kernel uses of tfjs's WebGPUBackend (its class is not importable as a value here). */
interface WebGpuBackendLike extends KernelBackend {
  device: GPUDevice;
  runWebGPUProgram(program: WebGPUProgram, inputs: TensorInfo[], outputDtype: 'float32', uniforms?: Array<{ type: 'int32'; data: number[] }>): TensorInfo;
}

/**
 * Elements of one im2col chunk at most. Default 32 Mi floats = 128 MiB, llvmpipe's binding limit and
 * a bounded share of a GPU's memory. Tests lower it to exercise the chunked path on small inputs.
 */
export const colChunkLimit = { elements: 32 * 1024 * 1024 };

/**
 * Pure: how many output pixels (rows of col) one chunk holds, for a filter of `k` = kh·kw·ci columns
 * and `rows` = B·oh·ow pixels in all, under a binding limit of `maxBindingBytes`.
 */
export function colChunkRows(rows: number, k: number, maxBindingBytes: number, maxElements = colChunkLimit.elements): number {
  const elements = Math.min(maxElements, Math.floor(maxBindingBytes / 4));
  return Math.max(1, Math.min(rows, Math.floor(elements / k)));
}

/** col[row, (kh,kw,ci)] for output pixels [rowOffset, rowOffset + rows) of NHWC x; zero in the padding. */
class Im2ColRowsProgram implements WebGPUProgram {
  variableNames = ['x'];
  uniforms = 'pads : vec2<i32>, strides : vec2<i32>, outWidth : i32, outPixels : i32, itemsPerBlockRow : i32, inChannels : i32, rowOffset : i32,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  shaderKey = 'japananimeIm2colRows';

  constructor(rows: number, k: number) {
    this.outputShape = [rows, k];
    this.dispatchLayout = webgpu_util.flatDispatchLayout(this.outputShape);
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, this.outputShape, this.workgroupSize);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          let pixel = uniforms.rowOffset + coords[0];
          let col = coords[1];
          let batch = pixel / uniforms.outPixels;
          let p = pixel % uniforms.outPixels;
          let xRow = (p / uniforms.outWidth) * uniforms.strides[0] - uniforms.pads[0] + col / uniforms.itemsPerBlockRow;
          let xCol = (p % uniforms.outWidth) * uniforms.strides[1] - uniforms.pads[1] + (col % uniforms.itemsPerBlockRow) / uniforms.inChannels;
          var value = 0.0;
          if (xRow >= 0 && xRow < uniforms.xShape[1] && xCol >= 0 && xCol < uniforms.xShape[2]) {
            value = getX(batch, xRow, xCol, col % uniforms.inChannels);
          }
          setOutputAtIndex(index, value);
        }
      }
    `;
  }
}

function conv2dBackpropFilter(args: { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs: unknown }): TensorInfo {
  const backend = args.backend as WebGpuBackendLike;
  const { x, dy, info, rows, k } = backpropFilterGeometry(args, 'webgpu');
  const { inChannels, outChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const call = (name: string, inputs: Record<string, TensorInfo>, a: Record<string, unknown> = {}): TensorInfo => callBackendKernel('webgpu', backend, name, inputs, a);
  const chunk = colChunkRows(rows, k, backend.device.limits.maxStorageBufferBindingSize);
  const temps: TensorInfo[] = [];
  try {
    const dy2 = call('Reshape', { x: dy }, { shape: [rows, outChannels] });
    temps.push(dy2);
    let acc: TensorInfo | undefined;
    for (let offset = 0; offset < rows; offset += chunk) {
      const n = Math.min(chunk, rows - offset);
      const program = new Im2ColRowsProgram(n, k);
      const col = backend.runWebGPUProgram(program, [x], 'float32', [
        { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
        { type: 'int32', data: [strideHeight, strideWidth] },
        { type: 'int32', data: [outWidth] },
        { type: 'int32', data: [outHeight * outWidth] },
        { type: 'int32', data: [filterWidth * inChannels] },
        { type: 'int32', data: [inChannels] },
        { type: 'int32', data: [offset] },
      ]);
      temps.push(col);
      const col3 = call('Reshape', { x: col }, { shape: [1, n, k] });
      temps.push(col3);
      const part = n === rows ? dy2 : call('Slice', { x: dy2 }, { begin: [offset, 0], size: [n, outChannels] });
      if (part !== dy2) temps.push(part);
      const dy3 = call('Reshape', { x: part }, { shape: [1, n, outChannels] });
      temps.push(dy3);
      const product = call('BatchMatMul', { a: col3, b: dy3 }, { transposeA: true, transposeB: false }); // [1, k, co]
      if (acc === undefined) {
        acc = product;
      } else {
        temps.push(product, acc);
        acc = call('Add', { a: acc, b: product });
      }
    }
    temps.push(acc!);
    return call('Reshape', { x: acc! }, { shape: [filterHeight, filterWidth, inChannels, outChannels] });
  } finally {
    for (const t of temps) release(backend, t);
  }
}

export const conv2dBackpropFilterWebGpuConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'webgpu',
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
