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
