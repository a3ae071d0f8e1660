/**
 * Registers the kernels training needs on the wasm backend: the missing filter gradient, a faster
 * input gradient, and the missing depthwise input gradient (for the frozen perceptual net). Idempotent; call before the first gradient is taken.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseConv2dBackpropInputConfig } from './depthwise-conv2d-backprop-input.js';

let registered = false;

export function registerTrainingKernels(): void {
  if (registered) return;
  for (const config of [conv2dBackpropFilterConfig, conv2dBackpropInputConfig, depthwiseConv2dBackpropInputConfig]) {
    if (getKernel(config.kernelName, 'wasm') !== undefined) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
  registered = true;
}

let webGpuRegistered = false;

/**
 * Registers the kernels training replaces on the webgpu backend: a filter gradient built on the
 * backend's tiled matmul (see conv2d-backprop-filter-webgpu.ts). Idempotent; imported lazily so that
 * the wasm workers never load the webgpu package.
 */
export async function registerWebGpuTrainingKernels(): Promise<void> {
  if (webGpuRegistered) return;
  const { conv2dBackpropFilterWebGpuConfig } = await import('./conv2d-backprop-filter-webgpu.js');
  for (const config of [conv2dBackpropFilterWebGpuConfig]) {
    if (getKernel(config.kernelName, 'webgpu') !== undefined) unregisterKernel(config.kernelName, 'webgpu');
    registerKernel(config);
  }
  webGpuRegistered = true;
}
