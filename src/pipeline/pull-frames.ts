/**
 * A pull-based source with credit flow control: it reads the next item from an AsyncIterable only
 * while it holds credit, starting with `window` credits and getting one back per item the tail of
 * the pipeline acknowledges (e.g. a frame the encoder accepted).
 *
 * This is what gives the file pipeline real backpressure. A hot source (`fromEvent(stdout, 'data')`)
 * or `from(asyncIterable)` pushes as fast as it can and concatMap/mergeMap downstream would queue
 * without bound; here at most `window` items are ever between the source and the acknowledging
 * stage, and when credit runs out nothing is read, so the decoder's pipe fills and ffmpeg pauses.
 */
import { Observable } from 'rxjs';

export interface PullFramesOptions {
  /** Items that may be in flight (read but not acknowledged). Must be ≥ the batch size. */
  window: number;
  /** Each emission returns that many credits (items finished downstream). */
  acks: Observable<number>;
}

export function pullFrames<T>(source: AsyncIterable<T>, options: PullFramesOptions): Observable<T> {
  if (!(options.window >= 1)) throw new RangeError(`pullFrames: window must be ≥ 1, got ${options.window}`);
  return new Observable<T>((subscriber) => {
    const iterator = source[Symbol.asyncIterator]();
    let credits = options.window;
    let stopped = false;
    let wake: (() => void) | undefined;
    const ackSub = options.acks.subscribe((n) => {
      credits += n;
      const w = wake;
      wake = undefined;
      w?.();
    });
    const loop = async (): Promise<void> => {
      try {
        while (!stopped) {
          while (credits <= 0 && !stopped) await new Promise<void>((resolve) => (wake = resolve));
          if (stopped) return;
          const result = await iterator.next();
          if (stopped) return;
          if (result.done) {
            subscriber.complete();
            return;
          }
          credits -= 1;
          subscriber.next(result.value);
        }
      } catch (err) {
        if (!stopped) subscriber.error(err);
      }
    };
    void loop();
    return () => {
      stopped = true;
      ackSub.unsubscribe();
      const w = wake;
      wake = undefined;
      w?.();
      // Lets the source clean up (the decoder stops ffmpeg in its finally block).
      void iterator.return?.()?.catch(() => undefined);
    };
  });
}
