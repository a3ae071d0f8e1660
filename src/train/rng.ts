/**
 * The trainer's random source: mulberry32, whose whole state is one uint32, so a checkpoint can hold
 * it and `--resume` draws exactly the numbers an uninterrupted run would have drawn.
 */
import { Mulberry32 } from '../seeded-random.js';

/** The trainer's random source (state stored in checkpoints). */
export { Mulberry32 as Rng };

/** A permutation of 0..n-1 that depends only on (seed, epoch): data order needs no stored list. */
export function epochPermutation(n: number, seed: number, epoch: number): number[] {
  const rng = new Mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b)) >>> 0);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
