/**
 * `Conv2DBackpropFilter` for the wasm backend, which has none (training a conv net fails without it).
 *
 *   dW[kh,kw,ci,co] = Σ_{b,oy,ox} xpad[b, oy·s+kh, ox·s+kw, ci] · dy[b,oy,ox,co]
 *
 * is one matrix product colT · dy, with colT[(kh,kw,ci), (b,oy,ox)] the transposed im2col of the
 * padded input and dy viewed as [(b,oy,ox), co]. The product runs on the backend's XNNPACK matmul at
 * the speed of a forward conv. (The other classic formulation, a stride-1 convolution of the input
 * with channels moved to the batch axis by dy dilated by the stride, is 3-4× slower on XNNPACK: its
 * "input channels" are the batch, a handful, which starves the GEMM micro-kernels.)
 */
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { backpropFilterGeometry } from './conv2d-backprop-filter-geometry.js';
import { callWasmKernel, release, reshapeInfo } from './wasm-kernel-calls.js';

/** The wasm backend's own view of a tensor's memory (valid until the next allocation). */
interface WasmBackendLike extends KernelBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

/**
 * Pure: the transposed im2col colT[(kh,kw,ci), (b,oy,ox)] read straight from NHWC x: per tap and
 * channel, a sequential write of the (b, oy, ox) row from a strided read of x (as fast as a
 * transpose followed by row copies, without the extra buffer). Padding positions are left as they
 * are (the caller zero-fills).
 */
export function im2colTransposedNhwc(
  x: Float32Array, colT: Float32Array,
  dims: { batch: number; inH: number; inW: number; inC: number; outH: number; outW: number; kH: number; kW: number; sH: number; sW: number; top: number; left: number },
): void {
  const { batch, inH, inW, inC, outH, outW, kH, kW, sH, sW, top, left } = dims;
  const p = batch * outH * outW;
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const ox0 = Math.max(0, Math.ceil((left - kw) / sW));
      const ox1 = Math.min(outW, Math.floor((inW - 1 + left - kw) / sW) + 1);
      if (ox1 <= ox0) continue;
      for (let c = 0; c < inC; c++) {
        const rowBase = ((kh * kW + kw) * inC + c) * p;
        for (let b = 0; b < batch; b++) {
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * sH + kh - top;
            if (iy < 0 || iy >= inH) continue;
            let src = ((b * inH + iy) * inW + ox0 * sW + kw - left) * inC + c;
            const step = sW * inC;
            let dst = rowBase + (b * outH + oy) * outW + ox0;
            for (let ox = ox0; ox < ox1; ox++, src += step) colT[dst++] = x[src]!;
          }
        }
      }
    }
  }
}

function conv2dBackpropFilter(args: { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs: unknown }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, dy, info, rows, k } = backpropFilterGeometry(args, 'wasm');
  const { batchSize, inHeight, inWidth, inChannels, outChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const temps: TensorInfo[] = [];
  try {
    const colT = backend.makeOutput([1, k, rows], 'float32'); // colT: [k, B·oh·ow]
    temps.push(colT);
    // Views are taken after every allocation: a heap growth detaches older views.
    const colVals = backend.typedArrayFromHeap(colT);
    colVals.fill(0);
    im2colTransposedNhwc(backend.typedArrayFromHeap(x), colVals, {
      batch: batchSize, inH: inHeight, inW: inWidth, inC: inChannels, outH: outHeight, outW: outWidth,
      kH: filterHeight, kW: filterWidth, sH: strideHeight, sW: strideWidth, top: info.padInfo.top, left: info.padInfo.left,
    });
    const dy3 = reshapeInfo(backend, dy, [1, rows, outChannels]);
    temps.push(dy3);
    const product = callWasmKernel(backend, 'BatchMatMul', { a: colT, b: dy3 }, { transposeA: false, transposeB: false }); // [1, k, co]
    temps.push(product);
    return reshapeInfo(backend, product, [filterHeight, filterWidth, inChannels, outChannels]);
  } finally {
    for (const t of temps) release(backend, t);
  }
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
