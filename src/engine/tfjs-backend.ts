/**
 * Chooses and starts the TensorFlow.js backend. The wasm backend (XNNPACK, SIMD) is ~20× faster than
 * the pure-JS cpu backend; in Node it must be told where its .wasm files are, which is
 * node_modules/@tensorflow/tfjs-backend-wasm/dist. The webgpu backend runs on the adapter that
 * webgpu-adapter.ts chooses (a GPU, else Mesa's software GL); it reads tensors asynchronously only.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendUnavailableError } from '../errors.js';
import { requestWebGpuAdapter, type WebGpuAdapterDescription } from './webgpu-adapter.js';

export type TfjsBackendName = 'wasm' | 'cpu' | 'webgpu';

let wasmPathsSet = false;
let webGpuRegistered: Promise<void> | undefined;
let webGpuAdapter: WebGpuAdapterDescription | undefined;
let pending: Promise<void> = Promise.resolve();

/** Folder holding the tfjs-backend-wasm .wasm binaries. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

/**
 * Makes `backend` the active tfjs backend and waits until it is ready. Idempotent and safe to call
 * concurrently (calls are serialised). Throws BackendUnavailableError when it cannot start.
 */
export function initTfjs(backend: TfjsBackendName = 'wasm'): Promise<void> {
  const next = pending.then(async () => {
    if (tf.getBackend() === backend) return;
    if (backend === 'wasm' && !wasmPathsSet) {
      setWasmPaths(wasmBinaryDir() + path.sep);
      wasmPathsSet = true;
    }
    if (backend === 'webgpu') {
      webGpuRegistered ??= registerWebGpuBackend().catch((err: unknown) => {
        webGpuRegistered = undefined;
        throw err;
      });
      await webGpuRegistered;
    }
    let ok = false;
    try {
      ok = await tf.setBackend(backend);
      await tf.ready();
    } catch (err) {
      throw new BackendUnavailableError(`tfjs backend '${backend}' failed to start (${reinstallHint(backend)})`, err);
    }
    if (!ok) throw new BackendUnavailableError(`tfjs backend '${backend}' is not available (${reinstallHint(backend)})`);
  });
  // A failed start must not poison later calls.
  pending = next.catch(() => undefined);
  return next;
}

function reinstallHint(backend: TfjsBackendName): string {
  return backend === 'webgpu' ? 'reinstall webgpu and @tensorflow/tfjs-backend-webgpu: npm install' : 'reinstall @tensorflow/tfjs-backend-wasm: npm install';
}

/**
 * Registers tfjs's 'webgpu' backend on the adapter requestWebGpuAdapter chooses. The package checks
 * `navigator.gpu` when it is imported (Node 20 has no navigator), and its own factory asks for a core
 * adapter only, so the factory is replaced by one that uses our adapter (compatibility level for GL).
 */
async function registerWebGpuBackend(): Promise<void> {
  const choice = await requestWebGpuAdapter();
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: choice.gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu: choice.gpu }, configurable: true, writable: true });
  let WebGPUBackend;
  try {
    ({ WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu'));
  } catch (err) {
    throw new BackendUnavailableError(`@tensorflow/tfjs-backend-webgpu does not load (${reinstallHint('webgpu')})`, err);
  }
  const limits = choice.adapter.limits;
  // The device gets the adapter's own limits: the defaults (128 MiB storage buffers, 256 workgroup
  // invocations) are smaller than what large training tensors and tfjs's shaders use.
  const device = await choice.adapter.requestDevice({
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, choice.adapter.info), 3);
  const { adapter: _adapter, gpu: _gpu, ...description } = choice;
  webGpuAdapter = description;
}

/** The adapter the tfjs webgpu backend runs on, once it has started. */
export function tfjsWebGpuAdapter(): WebGpuAdapterDescription | undefined {
  return webGpuAdapter;
}

/** The tfjs backend in use right now, and whether wasm has SIMD/threads, for `doctor`. */
export function describeTfjsBackend(): { backend: string; simd: boolean; threads: boolean } {
  const env = tf.env();
  const flag = (name: string): boolean => {
    try {
      return env.getBool(name);
    } catch {
      return false;
    }
  };
  return { backend: tf.getBackend() ?? 'none', simd: flag('WASM_HAS_SIMD_SUPPORT'), threads: flag('WASM_HAS_MULTITHREAD_SUPPORT') };
}
