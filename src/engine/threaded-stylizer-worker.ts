/**
 * Worker-thread entry of the threaded stylizer: owns one Stylizer (ONNX Runtime's run() is
 * synchronous in Node, so it blocks this thread instead of the server's event loop) and answers
 * `run` messages one at a time. Started by threaded-stylizer.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createStylizer, type StylizerOptions } from './create-stylizer.js';
import { JapananimeError } from '../errors.js';
import type { Frame } from '../frame.js';

type Message = { type: 'run'; id: number; frames: Frame[] } | { type: 'close' } | { type: 'crash-on-next-run' };

/** Errors cross the thread as data; a typed user error keeps its code so the CLI still prints one line. */
function describeError(err: unknown): { message: string; code?: string } {
  if (err instanceof JapananimeError) return { message: err.message, code: err.code };
  return { message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}

const port = parentPort;
if (!port) throw new Error('threaded-stylizer-worker.ts must run in a worker thread');

const ready = createStylizer(workerData as StylizerOptions);
ready.then(
  (stylizer) => port.postMessage({ type: 'ready', description: stylizer.description }),
  (err: unknown) => port.postMessage({ type: 'error', id: -1, ...describeError(err) }),
);

/** Set by the test hook: the next run exits the thread instead of answering, as a native crash would. */
let crashOnNextRun = false;

port.on('message', (msg: Message) => {
  if (msg.type === 'crash-on-next-run') {
    crashOnNextRun = true;
    return;
  }
  // Not worker.terminate() from outside: terminating a thread inside ONNX Runtime's run() aborts the whole process.
  if (msg.type === 'run' && crashOnNextRun) process.exit(70);
  void (async () => {
    if (msg.type === 'close') {
      await (await ready.catch(() => undefined))?.close();
      port.close();
      return;
    }
    try {
      const stylizer = await ready;
      const t0 = performance.now();
      const frames = await stylizer.run(msg.frames);
      const ms = performance.now() - t0;
      port.postMessage(
        { type: 'done', id: msg.id, frames, ms },
        frames.map((f) => f.data.buffer as ArrayBuffer),
      );
    } catch (err) {
      port.postMessage({ type: 'error', id: msg.id, ...describeError(err) });
    }
  })().catch(() => undefined);
});
