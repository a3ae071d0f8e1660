/**
 * Chooses and starts the TensorFlow.js backend. The wasm backend (XNNPACK, SIMD) is ~20× faster than
 * the pure-JS cpu backend; in Node it must be told where its .wasm files are, which is
 * node_modules/@tensorflow/tfjs-backend-wasm/dist.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendUnavailableError } from '../errors.js';

export type TfjsBackendName = 'wasm' | 'cpu';

let wasmPathsSet = false;
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
    let ok = false;
    try {
      ok = await tf.setBackend(backend);
      await tf.ready();
    } catch (err) {
      throw new BackendUnavailableError(`tfjs backend '${backend}' failed to start (reinstall @tensorflow/tfjs-backend-wasm: npm install)`, err);
    }
    if (!ok) throw new BackendUnavailableError(`tfjs backend '${backend}' is not available (reinstall @tensorflow/tfjs-backend-wasm: npm install)`);
  });
  // A failed start must not poison later calls.
  pending = next.catch(() => undefined);
  return next;
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
