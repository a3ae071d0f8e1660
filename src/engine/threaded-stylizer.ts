/**
 * A Stylizer that runs inference in worker threads. onnxruntime-node's run() is synchronous on the
 * calling thread: in the live server it blocked the event loop for a whole model time, so arriving
 * frames, sockets, codecs and the sending of the previous result all waited behind it. Here the
 * event loop stays free: frame N's conversion and encoding overlap frame N+1's inference.
 *
 * With `workers` > 1 each worker holds its own session and runs its own frame, so that many frames
 * are in flight at once (pipelining on cores that one session's intra-op threads do not keep busy).
 *
 * The workers are supervised (as LiveKit agents' proc_pool): a worker that dies (out of memory, a
 * native abort) is restarted with backoff instead of failing every later batch; the batch it held
 * is retried once on the next free worker, then failed with WorkerCrashedError; a start that hangs
 * times out. Errors a run reports (a bad frame) are not crashes: they fail that run only.
 */
import type { Worker } from 'node:worker_threads';
import type { EngineName, StylizerOptions } from './create-stylizer.js';
import type { OnnxDevice } from './onnx-stylizer.js';
import type { Stylizer } from './stylizer.js';
import type { Frame } from '../frame.js';
import { ClosedError, WorkerCrashedError } from '../errors.js';
import { startModuleWorker, workerError } from '../worker-thread.js';
import { intraOpThreads } from './cpu-cores.js';
import { disableOrtTelemetry } from './ort-telemetry.js';

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
  /** A worker that has not loaded its model within this time is stopped and counts as a failed start. Default: 60000 ms. */
  startTimeoutMs?: number;
  /** Wait before restarting a dead worker; doubles with each failure in a row, up to maxRestartDelayMs. Default: 100 ms. */
  restartDelayMs?: number;
  /** Longest wait between restarts of one worker. Default: 5000 ms. */
  maxRestartDelayMs?: number;
  /** Failed starts in a row after which a worker is given up (the others keep serving). Default: 5. */
  maxStartFailures?: number;
}

interface Job {
  frames: Frame[];
  resolve: (frames: Frame[]) => void;
  reject: (err: Error) => void;
  /** Times this job was handed to a worker that then died. */
  crashes: number;
}

interface Lane {
  readonly index: number;
  /** The worker that serves (ready) or is loading its model (starting). */
  worker: Worker | undefined;
  state: 'starting' | 'ready' | 'down' | 'given-up';
  job: Job | undefined;
  /** Crashes and failed starts since the last run that succeeded: sets the backoff. */
  failures: number;
  /** Failed starts in a row: a lane that cannot start is given up after maxStartFailures. */
  startFailures: number;
  restartTimer: NodeJS.Timeout | undefined;
}

type WorkerMessage = { type: 'ready'; description: string } | { type: 'done'; id: number; frames: Frame[]; ms: number } | { type: 'error'; id: number; message?: string; code?: string };

/** What a test may do to a threaded stylizer: make a worker die as a crash would. */
export interface ThreadedStylizerTestHooks {
  /**
   * The worker of `lane` exits at its next batch instead of answering, as a native crash (out of
   * memory, an abort in the runtime) would. Not worker.terminate(): terminating a thread while it is
   * inside ONNX Runtime's run() aborts the whole process.
   */
  crashWorker(lane?: number): void;
  /** Called each time a batch is about to be handed to a worker, with the lane and how many crashes the batch has seen. */
  onDispatch: ((lane: number, crashes: number) => void) | undefined;
}

/** A Stylizer whose runs spread over supervised worker threads. */
export interface SupervisedStylizer extends Stylizer {
  readonly concurrency: number;
  readonly restarts: number;
}

const testHooks = new WeakMap<Stylizer, ThreadedStylizerTestHooks>();

/** The test hooks of a stylizer made by createThreadedStylizer; undefined for any other. */
export function threadedStylizerTestHooks(stylizer: Stylizer): ThreadedStylizerTestHooks | undefined {
  return testHooks.get(stylizer);
}

/** Pure: the wait before the next restart of a lane after `failures` crashes or failed starts in a row (≥ 1). */
export function restartDelay(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
}

/** Starts one worker and waits for its model to load, at most `timeoutMs`. */
async function startWorker(init: StylizerOptions, timeoutMs: number, onSpawn: (worker: Worker) => void): Promise<{ worker: Worker; description: string }> {
  // Only the main thread can change the environment the worker's ONNX Runtime reads.
  disableOrtTelemetry();
  const worker = startModuleWorker(import.meta.url, 'threaded-stylizer-worker', init);
  onSpawn(worker);
  try {
    let cleanup = (): void => undefined;
    const description = await new Promise<string>((resolve, reject) => {
      const onMessage = (msg: WorkerMessage): void => {
        if (msg.type === 'ready') resolve(msg.description);
        else if (msg.type === 'error') reject(workerError(msg, 'stylizer worker failed to start'));
      };
      const onExit = (code: number): void => reject(new Error(`stylizer worker exited while starting (code ${code})`));
      const timer = setTimeout(() => reject(new Error(`stylizer worker did not load its model within ${timeoutMs} ms (startTimeoutMs)`)), timeoutMs);
      worker.on('message', onMessage);
      worker.on('error', reject);
      worker.on('exit', onExit);
      cleanup = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', reject);
        worker.off('exit', onExit);
      };
    }).finally(() => cleanup());
    return { worker, description };
  } catch (err) {
    // A worker that failed to start must not keep the process alive.
    await worker.terminate();
    throw err;
  }
}

export async function createThreadedStylizer(options: ThreadedStylizerOptions): Promise<SupervisedStylizer> {
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a whole number ≥ 1, got ${workers}`);
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const restartDelayMs = options.restartDelayMs ?? 100;
  const maxRestartDelayMs = options.maxRestartDelayMs ?? 5000;
  const maxStartFailures = options.maxStartFailures ?? 5;
  const init: StylizerOptions = { model: options.model, engine: options.engine ?? 'onnx', device: options.device ?? 'cpu', threads: intraOpThreads(options.threads ?? 0, workers) };

  const lanes: Lane[] = Array.from({ length: workers }, (_, index) => ({ index, worker: undefined, state: 'starting', job: undefined, failures: 0, startFailures: 0, restartTimer: undefined }));
  // The first start is not supervised: a model that cannot load fails here, once, with its own error.
  const started = await Promise.allSettled(lanes.map((lane) => startWorker(init, startTimeoutMs, (w) => (lane.worker = w))));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.worker.terminate() : undefined)));
    throw failed.reason;
  }
  const first = started[0];
  const description = `${first?.status === 'fulfilled' ? first.value.description : 'stylizer'} in ${workers} worker thread${workers > 1 ? 's' : ''}`;

  const queue: Job[] = [];
  let closed = false;
  let nextId = 0;
  let restarts = 0;
  let closing: Promise<void> | undefined;
  let lastFailure: Error | undefined;

  const dispatch = (): void => {
    for (const lane of lanes) {
      if (queue.length === 0) return;
      if (lane.state !== 'ready' || lane.job || !lane.worker) continue;
      const job = queue.shift() as Job;
      lane.job = job;
      // Copies (the caller keeps its buffers, and a retry needs them) into fresh buffers handed over
      // without a second copy. new Uint8Array(view) copies; a Buffer's slice() would not (it is a
      // view, like subarray), and handing over its ArrayBuffer would detach every other frame that
      // shares the pool.
      const frames = job.frames.map((f) => ({ ...f, data: new Uint8Array(f.data) }));
      hooks.onDispatch?.(lane.index, job.crashes);
      lane.worker.postMessage({ type: 'run', id: nextId++, frames }, frames.map((f) => f.data.buffer as ArrayBuffer));
    }
    // No lane serves or is coming back: nothing will ever take the queued jobs.
    if (queue.length > 0 && lanes.every((l) => l.state === 'given-up' || (l.state === 'down' && l.startFailures > 0))) {
      const err = lastFailure ?? new Error('stylizer workers failed');
      for (const job of queue.splice(0)) job.reject(err);
    }
  };

  const attach = (lane: Lane, worker: Worker): void => {
    lane.worker = worker;
    lane.state = 'ready';
    worker.on('message', (msg: WorkerMessage) => {
      const job = lane.job;
      if (lane.worker !== worker || !job || msg.type === 'ready') return;
      lane.job = undefined;
      if (msg.type === 'error') job.reject(workerError(msg, 'stylizer worker'));
      else {
        lane.failures = 0;
        job.resolve(msg.frames.map((f) => ({ ...f, data: new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength) })));
      }
      dispatch();
    });
    let crash: Error | undefined;
    // 'error' (an uncaught exception in the worker) is always followed by 'exit'.
    worker.on('error', (err) => {
      crash ??= err;
    });
    worker.on('exit', (code) => {
      if (lane.worker !== worker) return;
      if (closed) {
        // Closing lets a worker finish its batch; one that exits without answering fails it.
        lane.job?.reject(new ClosedError('the stylizer'));
        lane.job = undefined;
        return;
      }
      onCrash(lane, crash ? crash.message : `exit code ${code}`);
    });
  };

  const onCrash = (lane: Lane, why: string): void => {
    lane.worker = undefined;
    lane.state = 'down';
    lane.failures += 1;
    lastFailure = new WorkerCrashedError(`the inference worker stopped (${why})`);
    const job = lane.job;
    lane.job = undefined;
    if (job) {
      job.crashes += 1;
      // Retried once, first in line: a crash that a batch causes itself (out of memory on a huge
      // frame) must not bring down worker after worker.
      if (job.crashes === 1) queue.unshift(job);
      else job.reject(new WorkerCrashedError(`the inference worker stopped twice on the same batch (${why}); the batch may need more memory than is free`));
    }
    scheduleRestart(lane);
    dispatch();
  };

  const scheduleRestart = (lane: Lane): void => {
    if (closed) return;
    const delay = restartDelay(lane.failures, restartDelayMs, maxRestartDelayMs);
    lane.restartTimer = setTimeout(() => {
      lane.restartTimer = undefined;
      if (closed) return;
      lane.state = 'starting';
      startWorker(init, startTimeoutMs, (w) => (lane.worker = w)).then(
        ({ worker }) => {
          if (closed) {
            void worker.terminate();
            return;
          }
          restarts += 1;
          lane.startFailures = 0;
          attach(lane, worker);
          dispatch();
        },
        (err: unknown) => {
          lane.worker = undefined;
          lane.failures += 1;
          lane.startFailures += 1;
          lastFailure = err instanceof Error ? err : new Error(String(err));
          lane.state = lane.startFailures >= maxStartFailures ? 'given-up' : 'down';
          if (lane.state === 'down') scheduleRestart(lane);
          dispatch();
        },
      );
    }, delay);
  };

  for (const [i, s] of started.entries()) {
    if (s.status === 'fulfilled') attach(lanes[i]!, s.value.worker);
  }

  const stylizer = {
    description,
    concurrency: workers,
    get restarts() {
      return restarts;
    },
    run(frames: Frame[]): Promise<Frame[]> {
      if (closed) return Promise.reject(new ClosedError('the stylizer'));
      if (frames.length === 0) return Promise.resolve([]);
      if (lanes.every((l) => l.state === 'given-up')) return Promise.reject(lastFailure ?? new Error('stylizer workers failed'));
      return new Promise<Frame[]>((resolve, reject) => {
        queue.push({ frames, resolve, reject, crashes: 0 });
        dispatch();
      });
    },
    close(): Promise<void> {
      closing ??= (async () => {
        closed = true;
        for (const job of queue.splice(0)) job.reject(new ClosedError('the stylizer'));
        for (const lane of lanes) clearTimeout(lane.restartTimer);
        // Each worker finishes its frame in flight, frees its session and exits; one still loading
        // its model, or stuck, is terminated.
        await Promise.all(
          lanes.map(async (lane) => {
            const worker = lane.worker;
            if (!worker) return;
            if (lane.state !== 'ready') {
              await worker.terminate();
              return;
            }
            const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
            worker.postMessage({ type: 'close' });
            const timer = setTimeout(() => void worker.terminate(), 5000);
            await exited;
            clearTimeout(timer);
          }),
        );
      })();
      return closing;
    },
  };
  const hooks: ThreadedStylizerTestHooks = {
    onDispatch: undefined,
    crashWorker(index = 0) {
      const worker = lanes[index]?.worker;
      if (!worker) throw new RangeError(`lane ${index} has no worker`);
      worker.postMessage({ type: 'crash-on-next-run' });
    },
  };
  testHooks.set(stylizer, hooks);
  return stylizer;
}
