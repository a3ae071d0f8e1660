import { ClosedError } from '../errors.js';
import type { Frame } from '../frame.js';
import type { Stylizer } from './stylizer.js';

/**
 * The Stylizer shell both engines share: batches run one at a time in call order (a batch is already
 * as large as the caller wants it; concurrent runs would only fight over the same cores), an empty
 * batch is answered at once, a run after close() fails, and close() is idempotent and waits for the
 * batch in flight before releasing the engine's resources.
 */
export function serialStylizer(description: string, runBatch: (frames: Frame[]) => Promise<Frame[]>, release: () => Promise<void> | void): Stylizer {
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    description,
    run(frames) {
      const next = queue.then(async () => {
        if (closed) throw new ClosedError('the stylizer');
        return frames.length === 0 ? [] : runBatch(frames);
      });
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      await release();
    },
  };
}
