/**
 * Data parallelism: the wasm backend runs on one thread in Node, so a step's batch is split across
 * worker threads that hold the same weights; their gradients are averaged (weighted by share size)
 * and the trainer applies one optimiser step. With one worker the engine runs in-process.
 */
import { ClosedError } from '../errors.js';
import os from 'node:os';
import type { ParamSet } from '../model/params.js';
import type { LossWeights } from './losses.js';
import { combineShares, GradientEngine, sliceImages, type GradientEngineInit, type ShareRequest, type ShareResult, type StepImages } from './gradient-engine.js';
import { startModuleWorker, workerError } from '../worker-thread.js';

/** The default worker count: one per core. */
export function defaultWorkerCount(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

/** Splits n items over k workers as evenly as possible (earlier workers get the remainder); no empty shares. */
export function splitShares(n: number, k: number): number[] {
  const parts = Math.min(n, k);
  const base = Math.floor(n / parts);
  const extra = n % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/** The step's batch: `n` images of size×size per kind, NHWC float32 in [-1, 1]. */
export type StepBatch = StepImages;

export interface StepGradients {
  gGrads: Map<string, Float32Array>;
  dGrads?: Map<string, Float32Array>;
  /** Share-weighted means of the workers' losses = the full batch's losses. */
  losses: Record<string, number>;
  /** The slowest worker's gradient time (the rest of a step is data, transfer and the optimiser). */
  workerSeconds: number;
}

interface Member {
  compute(req: ShareRequest): Promise<ShareResult>;
  generate(g: ParamSet, photos: Float32Array, n: number, size: number): Promise<Float32Array>;
  close(): Promise<void>;
}

function localMember(engine: GradientEngine): Member {
  return {
    compute: (req) => engine.compute(req),
    generate: (g, photos, n, size) => engine.generate(g, photos, n, size),
    close: async () => engine.close(),
  };
}

async function threadMember(init: GradientEngineInit): Promise<Member> {
  const worker = startModuleWorker(import.meta.url, 'gradient-worker', init);
  let nextId = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let failure: Error | undefined;
  const failAll = (err: Error): void => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const started = new Promise<void>((resolve, reject) => {
    const onMessage = (msg: { type: string; id?: number; message?: string; code?: string }): void => {
      if (msg.type === 'ready') {
        worker.off('message', onMessage);
        resolve();
      } else if (msg.type === 'error') reject(workerError(msg, 'training worker failed to start'));
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
  try {
    await started;
  } catch (err) {
    // A worker that failed to start must not keep the process alive.
    await worker.terminate();
    throw err;
  }
  worker.on('message', (msg: { type: string; id: number; result?: unknown; message?: string; code?: string }) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.type === 'error') p.reject(workerError(msg, 'training worker'));
    else p.resolve(msg.result);
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`training worker exited (code ${code})`)));
  const call = <T>(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...msg, id }, transfer);
    });
  };
  let closed = false;
  return {
    compute: (request) => call<ShareResult>({ type: 'compute', request }),
    generate: (g, photos, n, size) => call<Float32Array>({ type: 'generate', g, photos, n, size }),
    async close() {
      if (closed) return;
      closed = true;
      failure ??= new ClosedError('the worker pool');
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'close' });
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface WorkerPoolOptions {
  /** Number of gradient workers; 1 runs in-process (webgpu always: one process drives the GPU). Default: the number of cores (webgpu: 1). */
  workers?: number;
}

export class WorkerPool {
  private closed = false;

  private constructor(private readonly members: Member[]) {}

  static async create(init: GradientEngineInit, options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const count = options.workers ?? (init.backend === 'webgpu' ? 1 : defaultWorkerCount());
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`workers must be a positive integer, got ${count}`);
    // Worker threads are data parallelism for the single-threaded CPU backend; a GPU is already
    // parallel, and several Dawn devices would only compete for it.
    if (init.backend === 'webgpu' && count !== 1) throw new RangeError(`the webgpu backend runs in one process, not ${count} workers`);
    if (count === 1) return new WorkerPool([localMember(await GradientEngine.create(init))]);
    const settled = await Promise.allSettled(Array.from({ length: count }, () => threadMember(init)));
    const members = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(members.map((m) => m.close()));
      throw failed.reason;
    }
    return new WorkerPool(members);
  }

  get size(): number {
    return this.members.length;
  }

  /**
   * Computes the full-batch gradients of one step. `g`/`d` are the current parameters; pass them
   * whenever they changed (after every optimiser step), the pool sends them to every worker.
   */
  async step(batch: StepBatch, weights: LossWeights, params: { g?: ParamSet; d?: ParamSet }): Promise<StepGradients> {
    if (this.closed) throw new ClosedError('the worker pool');
    const shares = splitShares(batch.n, this.members.length);
    let offset = 0;
    const jobs = shares.map((n, i) => {
      const req: ShareRequest = { ...sliceImages(batch, offset, n), weights };
      if (params.g) req.g = params.g;
      if (params.d) req.d = params.d;
      offset += n;
      return this.members[i]!.compute(req);
    });
    const results = await Promise.all(jobs);
    const { gGrads, dGrads, losses } = combineShares(results);
    const out: StepGradients = { gGrads, losses, workerSeconds: Math.max(...results.map((r) => r.seconds ?? 0)) };
    if (dGrads) out.dGrads = dGrads;
    return out;
  }

  /** G (with parameters `g`) on images, NHWC in [-1, 1] (used for sample grids). */
  generate(g: ParamSet, photos: Float32Array, n: number, size: number): Promise<Float32Array> {
    return this.members[0]!.generate(g, photos, n, size);
  }

  /** Stops every worker. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.members.map((m) => m.close()));
  }
}
