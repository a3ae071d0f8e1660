/**
 * Groups frames into batches of up to `size` for one Stylizer.run call. The last batch may be short
 * (emitted when the source completes), and a change of frame size starts a new batch because a
 * model call takes frames of one size only.
 */
import { Observable } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { Frame } from '../frame.js';

export function batchFrames(size: number): OperatorFunction<Frame, Frame[]> {
  if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`batch size must be an integer ≥ 1, got ${size}`);
  return (source) =>
    new Observable<Frame[]>((subscriber) => {
      let batch: Frame[] = [];
      const sub = source.subscribe({
        next(frame) {
          const first = batch[0];
          if (first && (first.width !== frame.width || first.height !== frame.height)) {
            subscriber.next(batch);
            batch = [];
          }
          batch.push(frame);
          if (batch.length >= size) {
            const full = batch;
            batch = [];
            subscriber.next(full);
          }
        },
        error(err) {
          batch = [];
          subscriber.error(err);
        },
        complete() {
          if (batch.length > 0) subscriber.next(batch);
          batch = [];
          subscriber.complete();
        },
      });
      return () => sub.unsubscribe();
    });
}
