/**
 * Runs each batch through a Stylizer and emits the results in the order the batches came. With
 * concurrency 1 (one session), one call at a time (concatMap): the model owns the CPU/GPU and
 * overlapping calls would only add memory. A stylizer with several sessions (Stylizer.concurrency > 1)
 * gets its batches as they arrive and runs `concurrency` of them at once; how many batches exist at
 * all is bounded upstream by the frame window (pullFrames). Checks the contract (same count, same
 * size, same order out as in) so a broken engine fails loudly instead of producing a video with
 * missing or shuffled frames.
 */
import { concatMap, map, pipe } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { Frame } from '../frame.js';
import type { Stylizer } from '../engine/stylizer.js';

async function runChecked(stylizer: Stylizer, batch: Frame[]): Promise<Frame[]> {
  const out = await stylizer.run(batch);
  if (out.length !== batch.length) {
    throw new Error(`${stylizer.description}: returned ${out.length} frames for a batch of ${batch.length}`);
  }
  for (let i = 0; i < batch.length; i++) {
    const a = batch[i]!;
    const b = out[i]!;
    if (b.width !== a.width || b.height !== a.height || b.data.length !== a.width * a.height * 3) {
      throw new Error(`${stylizer.description}: frame ${a.index} came back ${b.width}x${b.height} (${b.data.length} bytes), expected ${a.width}x${a.height}`);
    }
    // Keep the source timing whatever the engine did with it.
    if (b.index !== a.index || b.pts !== a.pts) out[i] = { ...b, index: a.index, pts: a.pts };
  }
  return out;
}

export function stylizeBatches(stylizer: Stylizer, concurrency = 1): OperatorFunction<Frame[], Frame[]> {
  if (concurrency <= 1) return concatMap((batch: Frame[]) => runChecked(stylizer, batch));
  return pipe(
    // Started on arrival: the stylizer's own queue runs `concurrency` at once.
    map((batch: Frame[]) => {
      const result = runChecked(stylizer, batch);
      // A later batch may fail while an earlier one still runs; its rejection is delivered, in
      // order, by concatMap below, and must not count as unhandled meanwhile.
      result.catch(() => undefined);
      return result;
    }),
    concatMap((result) => result),
  );
}
