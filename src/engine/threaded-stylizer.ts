/**
 * A Stylizer that runs inference in worker threads. onnxruntime-node's run() is synchronous on the
 * calling thread: in the live server it blocked the event loop for a whole model time, so arriving
 * frames, sockets, codecs and the sending of the previous result all waited behind it. Here the
 * event loop stays free: frame N's conversion and encoding overlap frame N+1's inference.
 *
 * With `workers` > 1 each worker holds its own session and runs its own frame, so that many frames
 * are in flight at once (pipelining on cores that one session's intra-op threads do not keep busy).
 */
import type { Worker } from 'node:worker_threads';
import type { EngineName, StylizerOptions } from './create-stylizer.js';
import type { OnnxDevice } from './onnx-stylizer.js';
import type { Stylizer } from './stylizer.js';
import type { Frame } from '../frame.js';
import { startModuleWorker, workerError } from '../worker-thread.js';
import { intraOpThreads } from './cpu-cores.js';

export interface ThreadedStylizerOptions {
  /** A model package folder or a name under models/. Required. */
  model: string;
  /** Inference engine. Default: 'onnx'. */
  engine?: EngineName;
  /** Device for the onnx engine. Default: 'cpu'. */
  device?: OnnxDevice;
  /** Intra-op threads of each worker's session; 0 = the physical cores shared out among the workers. Default: 0. */
  threads?: number;
  /** Worker threads, each with its own session: how many frames run at once. Default: 1. */
  workers?: number;
}

/** A Stylizer that can run `concurrency` batches at once (its runs do not serialise). */
export interface ConcurrentStylizer extends Stylizer {
  readonly concurrency: number;
}

/** How many runs a Stylizer takes at once: 1 unless it says otherwise. */
export function stylizerConcurrency(stylizer: Stylizer): number {
  const n = (stylizer as Partial<ConcurrentStylizer>).concurrency;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 1;
}

interface Job {
  frames: Frame[];
  resolve: (frames: Frame[]) => void;
  reject: (err: Error) => void;
}

interface Lane {
  worker: Worker;
  job: Job | undefined;
  failure: Error | undefined;
  exited: boolean;
}

type WorkerMessage = { type: 'ready'; description: string } | { type: 'done'; id: number; frames: Frame[]; ms: number } | { type: 'error'; id: number; message?: string; code?: string };

async function startLane(init: StylizerOptions): Promise<{ lane: Lane; description: string }> {
  const worker = startModuleWorker(import.meta.url, 'threaded-stylizer-worker', init);
  try {
    let cleanup = (): void => undefined;
    const description = await new Promise<string>((resolve, reject) => {
      const onMessage = (msg: WorkerMessage): void => {
        if (msg.type === 'ready') resolve(msg.description);
        else if (msg.type === 'error') reject(workerError(msg, 'stylizer worker failed to start'));
      };
      const onExit = (code: number): void => reject(new Error(`stylizer worker exited while starting (code ${code})`));
      worker.on('message', onMessage);
      worker.on('error', reject);
      worker.on('exit', onExit);
      cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', reject);
        worker.off('exit', onExit);
      };
    }).finally(() => cleanup());
    return { lane: { worker, job: undefined, failure: undefined, exited: false }, description };
  } catch (err) {
    // A worker that failed to start must not keep the process alive.
    await worker.terminate();
    throw err;
  }
}

export async function createThreadedStylizer(options: ThreadedStylizerOptions): Promise<ConcurrentStylizer> {
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a whole number ≥ 1, got ${workers}`);
  const init: StylizerOptions = { model: options.model, engine: options.engine ?? 'onnx', device: options.device ?? 'cpu', threads: intraOpThreads(options.threads ?? 0, workers) };
  const started = await Promise.allSettled(Array.from({ length: workers }, () => startLane(init)));
  const lanes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.lane] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(lanes.map((l) => l.worker.terminate()));
    throw failed.reason;
  }
  const first = started[0];
  const description = `${first?.status === 'fulfilled' ? first.value.description : 'stylizer'} in ${workers} worker thread${workers > 1 ? 's' : ''}`;

  const queue: Job[] = [];
  let closed = false;
  let nextId = 0;
  let closing: Promise<void> | undefined;

  const dispatch = (): void => {
    for (const lane of lanes) {
      if (queue.length === 0) return;
      if (lane.job || lane.failure) continue;
      const job = queue.shift() as Job;
      lane.job = job;
      // Copies (the caller keeps its buffers) into fresh buffers handed over without a second copy.
      // new Uint8Array(view) copies; a Buffer's slice() would not (it is a view, like subarray),
      // and handing over its ArrayBuffer would detach every other frame that shares the pool.
      const frames = job.frames.map((f) => ({ ...f, data: new Uint8Array(f.data) }));
      lane.worker.postMessage({ type: 'run', id: nextId++, frames }, frames.map((f) => f.data.buffer as ArrayBuffer));
    }
    // Every lane has failed: nothing will ever take the queued jobs.
    if (lanes.every((l) => l.failure)) {
      const err = lanes[0]?.failure ?? new Error('stylizer workers failed');
      for (const job of queue.splice(0)) job.reject(err);
    }
  };

  for (const lane of lanes) {
    const fail = (err: Error): void => {
      lane.failure ??= err;
      lane.job?.reject(err);
      lane.job = undefined;
      dispatch();
    };
    lane.worker.on('message', (msg: WorkerMessage) => {
      const job = lane.job;
      if (!job || msg.type === 'ready') return;
      lane.job = undefined;
      if (msg.type === 'error') job.reject(workerError(msg, 'stylizer worker'));
      else job.resolve(msg.frames.map((f) => ({ ...f, data: new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength) })));
      dispatch();
    });
    lane.worker.on('error', fail);
    lane.worker.on('exit', (code) => {
      lane.exited = true;
      fail(new Error(`stylizer worker exited (code ${code})`));
    });
  }

  return {
    description,
    concurrency: workers,
    run(frames) {
      if (closed) return Promise.reject(new Error('the stylizer is closed'));
      if (frames.length === 0) return Promise.resolve([]);
      return new Promise<Frame[]>((resolve, reject) => {
        queue.push({ frames, resolve, reject });
        dispatch();
      });
    },
    close() {
      closing ??= (async () => {
        closed = true;
        for (const job of queue.splice(0)) job.reject(new Error('the stylizer is closed'));
        // Each worker finishes its frame in flight, frees its session and exits.
        await Promise.all(
          lanes.map(async (lane) => {
            if (lane.exited) return;
            const exited = new Promise<void>((resolve) => lane.worker.once('exit', () => resolve()));
            lane.worker.postMessage({ type: 'close' });
            const timer = setTimeout(() => void lane.worker.terminate(), 5000);
            await exited;
            clearTimeout(timer);
          }),
        );
      })();
      return closing;
    },
  };
}
