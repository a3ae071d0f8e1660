/**
 * Worker threads that run one of our modules, from dist/ or from source, and the errors they send
 * back. Shared by the training workers (src/train/worker-pool.ts) and the live server's inference
 * thread (src/engine/threaded-stylizer.ts).
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { JapananimeError, type ErrorCode } from './errors.js';

/**
 * Starts the worker module `name` that sits beside the module `from` (pass `import.meta.url`): plain
 * JS from dist/; under tsx (tests, running from source) Node 20 does not apply the parent's
 * `--import tsx` hooks inside worker threads, so a small bootstrap registers tsx's loader in the
 * worker before importing the .ts file. A failed import is posted as `{ type: 'error', id: -1 }`.
 */
export function startModuleWorker(from: string, name: string, workerData: unknown): Worker {
  if (!fileURLToPath(from).endsWith('.ts')) {
    return new Worker(new URL(`./${name}.js`, from), { workerData });
  }
  const target = new URL(`./${name}.ts`, from).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(target)}); }).catch((err) => { require('node:worker_threads').parentPort.postMessage({ type: 'error', id: -1, message: String(err && err.stack || err) }); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** A worker's error as an Error: typed user errors are rebuilt with their code and message. */
export function workerError(msg: { message?: string; code?: string }, context: string): Error {
  if (msg.code) return new JapananimeError(msg.code as ErrorCode, msg.message ?? context);
  return new Error(`${context}: ${msg.message ?? 'failed'}`);
}
