/**
 * The project's one seeded random source: mulberry32, a small, fast, well-distributed 32-bit PRNG
 * whose whole state is one uint32. Weight init, dataset crops and the trainer's data order all draw
 * from it, so the same seed gives the same result everywhere, and a checkpoint can store the state
 * so that `--resume` draws exactly the numbers an uninterrupted run would have drawn.
 */
export class Mulberry32 {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The state to store (e.g. in a checkpoint). */
  getState(): number {
    return this.state;
  }

  setState(state: number): void {
    this.state = state >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** The same generator as a plain function returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  const rng = new Mulberry32(seed);
  return () => rng.next();
}
