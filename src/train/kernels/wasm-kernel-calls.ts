/**
 * Calls other kernels of a backend (wasm, webgpu) from inside a kernel. A kernel function must not run tf ops (they would be
 * recorded on the gradient tape and leak into the engine's bookkeeping), so the training kernels
 * compose the backend's own kernel functions and free their intermediates with disposeData.
 */
import { getKernel } from '@tensorflow/tfjs';
import type { KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

/** Runs the kernel `name` of backend `backendName` (wasm, webgpu) on tensor infos, outside the engine. */
export function callBackendKernel(backendName: string, backend: KernelBackend, name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
  const config = getKernel(name, backendName);
  if (config === undefined) throw new Error(`${backendName} backend has no ${name} kernel`);
  const out = config.kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap });
  if (Array.isArray(out)) throw new Error(`${name} returned several outputs`);
  return out;
}

/** Runs the wasm kernel `name` on tensor infos, outside the engine. */
export function callWasmKernel(backend: KernelBackend, name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
  return callBackendKernel('wasm', backend, name, inputs, attrs);
}

/** Frees an intermediate made by callWasmKernel or callBackendKernel. */
export function release(backend: KernelBackend, info: TensorInfo): void {
  backend.disposeData(info.dataId);
}

/** A reshape that shares the data (the wasm Reshape kernel only bumps a reference count). */
export function reshapeInfo(backend: KernelBackend, x: TensorInfo, shape: number[]): TensorInfo {
  return callWasmKernel(backend, 'Reshape', { x }, { shape });
}

/**
 * The first step of a strided conv's input gradient (dense and depthwise alike): dy [B, oy, ox, c]
 * with stride-1 zeros between its pixels, [B, oy·sh, ox·sw, c] (a reshape to [B, oy, 1, ox, 1, c],
 * a zero pad of the two unit axes, a reshape back). Returns dy itself at stride 1. Every tensor it
 * makes is pushed onto `temps` for the caller to release.
 */
export function dilateByStride(backend: KernelBackend, dy: TensorInfo, info: { batchSize: number; outHeight: number; outWidth: number; strideHeight: number; strideWidth: number }, channels: number, temps: TensorInfo[]): { dilated: TensorInfo; height: number; width: number } {
  const { batchSize, outHeight, outWidth, strideHeight, strideWidth } = info;
  if (strideHeight === 1 && strideWidth === 1) return { dilated: dy, height: outHeight, width: outWidth };
  const r6 = reshapeInfo(backend, dy, [batchSize, outHeight, 1, outWidth, 1, channels]);
  temps.push(r6);
  const p6 = callWasmKernel(backend, 'PadV2', { x: r6 }, {
    paddings: [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]], constantValue: 0,
  });
  temps.push(p6);
  const height = outHeight * strideHeight;
  const width = outWidth * strideWidth;
  const dilated = reshapeInfo(backend, p6, [batchSize, height, width, channels]);
  temps.push(dilated);
  return { dilated, height, width };
}

/**
 * The input of the stride-1 "full" convolution that computes an input gradient: dy dilated by the
 * stride, then padded by (filter − 1 − forward pad) on each side, and cut where the forward conv's
 * last stride left trailing zeros it never read. A valid stride-1 conv of the result with the
 * spatially flipped filter is exactly inHeight×inWidth. Every tensor it makes is pushed onto `temps`.
 */
export function fullConvInput(
  backend: KernelBackend,
  dy: TensorInfo,
  info: { batchSize: number; inHeight: number; inWidth: number; outHeight: number; outWidth: number; strideHeight: number; strideWidth: number; filterHeight: number; filterWidth: number; padInfo: { top: number; left: number } },
  channels: number,
  kernelName: string,
  temps: TensorInfo[],
): TensorInfo {
  const { batchSize, inHeight, inWidth, filterHeight, filterWidth } = info;
  const { dilated, height: dHeight, width: dWidth } = dilateByStride(backend, dy, info, channels, temps);
  const top = filterHeight - 1 - info.padInfo.top;
  const left = filterWidth - 1 - info.padInfo.left;
  if (top < 0 || left < 0) throw new Error(`${kernelName}: padding larger than the filter is not supported`);
  const bottom = inHeight + filterHeight - 1 - top - dHeight;
  const right = inWidth + filterWidth - 1 - left - dWidth;
  let padded = dilated;
  if (top + left + Math.max(0, bottom) + Math.max(0, right) > 0) {
    padded = callWasmKernel(backend, 'PadV2', { x: dilated }, {
      paddings: [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]], constantValue: 0,
    });
    temps.push(padded);
  }
  if (bottom < 0 || right < 0) {
    // Trailing zeros of the dilation that the conv must not read.
    const cut = callWasmKernel(backend, 'Slice', { x: padded }, {
      begin: [0, 0, 0, 0], size: [batchSize, inHeight + filterHeight - 1, inWidth + filterWidth - 1, channels],
    });
    temps.push(cut);
    padded = cut;
  }
  return padded;
}
