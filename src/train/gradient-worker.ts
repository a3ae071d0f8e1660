/**
 * Worker-thread entry: owns one GradientEngine and answers the pool's messages. Started by
 * worker-pool.ts with the parent's execArgv, so it runs under tsx in tests and as plain JS from dist/.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { JapananimeError } from '../errors.js';
import type { ParamSet } from '../model/params.js';
import { GradientEngine, type GradientEngineInit, type ShareRequest } from './gradient-engine.js';

type Message = { type: 'compute'; id: number; request: ShareRequest } | { type: 'generate'; id: number; g: ParamSet; photos: Float32Array; n: number; size: number } | { type: 'close' };

/** Errors cross the thread as data; a typed user error keeps its code so the CLI still prints one line. */
function describeError(err: unknown): { message: string; code?: string } {
  if (err instanceof JapananimeError) return { message: err.message, code: err.code };
  return { message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}

const port = parentPort;
if (!port) throw new Error('gradient-worker.ts must run in a worker thread');

const ready = GradientEngine.create(workerData as GradientEngineInit);
ready.then(
  () => port.postMessage({ type: 'ready' }),
  (err: unknown) => port.postMessage({ type: 'error', id: -1, ...describeError(err) }),
);

port.on('message', (msg: Message) => {
  void (async () => {
    const engine = await ready;
    if (msg.type === 'close') {
      engine.close();
      port.close();
      return;
    }
    try {
      if (msg.type === 'compute') {
        const result = await engine.compute(msg.request);
        const transfer = [...result.gGrads.values(), ...(result.dGrads?.values() ?? [])].map((a) => a.buffer as ArrayBuffer);
        port.postMessage({ type: 'result', id: msg.id, result }, transfer);
      } else {
        const images = await engine.generate(msg.g, msg.photos, msg.n, msg.size);
        port.postMessage({ type: 'result', id: msg.id, result: images }, [images.buffer as ArrayBuffer]);
      }
    } catch (err) {
      port.postMessage({ type: 'error', id: msg.id, ...describeError(err) });
    }
  })();
});
