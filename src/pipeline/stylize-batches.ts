/**
 * Runs each batch through a Stylizer, one call at a time and in order (concatMap): the model is the
 * bottleneck and owns the CPU/GPU, so overlapping calls would only add memory. Checks the contract
 * (same count, same size, same order out as in) so a broken engine fails loudly instead of
 * producing a video with missing or shuffled frames.
 */
import { concatMap } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { Frame } from '../frame.js';
import type { Stylizer } from '../engine/stylizer.js';

export function stylizeBatches(stylizer: Stylizer): OperatorFunction<Frame[], Frame[]> {
  return concatMap(async (batch: Frame[]) => {
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
  });
}
