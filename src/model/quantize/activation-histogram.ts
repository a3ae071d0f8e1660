/**
 * The value distribution of one activation tensor over many calibration frames, kept in bounded
 * memory: two histograms of magnitudes (one for the negative values, one for the positive), each of
 * BINS equal bins whose width doubles (merging neighbours) whenever a larger value arrives. From it
 * come the clipping range of a percentile rule: the smallest [lo, hi] that leaves at most
 * (1 - p) of all values beyond each end. Plain min/max would let one stray pixel of one frame widen
 * the range, and so coarsen the steps, for every other value.
 */

/** Bins per side. 4096 gives steps finer than 1/16 of a uint8 step at the 99.99th percentile in practice. */
export const HISTOGRAM_BINS = 4096;

class MagnitudeHistogram {
  readonly counts = new Float64Array(HISTOGRAM_BINS);
  /** Width of one bin; 0 until the first non-zero value. */
  width = 0;
  total = 0;
  max = 0;

  add(magnitude: number): void {
    this.total += 1;
    if (magnitude > this.max) this.max = magnitude;
    if (magnitude === 0) {
      this.counts[0]! += 1;
      return;
    }
    if (this.width === 0) this.width = (magnitude * 2) / HISTOGRAM_BINS;
    while (magnitude >= this.width * HISTOGRAM_BINS) this.widen();
    this.counts[Math.floor(magnitude / this.width)]! += 1;
  }

  /** Doubles the bin width: bin i takes bins 2i and 2i+1. */
  private widen(): void {
    const c = this.counts;
    for (let i = 0; i < HISTOGRAM_BINS / 2; i++) c[i] = c[2 * i]! + c[2 * i + 1]!;
    c.fill(0, HISTOGRAM_BINS / 2);
    this.width *= 2;
  }

  /** The smallest magnitude m such that at most `tail` values lie above m (upper edge of a bin, capped at max). */
  clipAt(tail: number): number {
    if (this.width === 0) return 0;
    let above = 0;
    for (let i = HISTOGRAM_BINS - 1; i >= 0; i--) {
      const next = above + this.counts[i]!;
      if (next > tail) return Math.min(this.max, (i + 1) * this.width);
      above = next;
    }
    return 0;
  }
}

export class ActivationHistogram {
  private readonly negative = new MagnitudeHistogram();
  private readonly positive = new MagnitudeHistogram();

  /**
   * Adds the values of one tensor (NaN and infinities are skipped: they have no range to give). A
   * large tensor is sampled at an odd stride, so at most about `maxSamples` values are read: a
   * 640×360×32 activation has 7.4M values, and reading them all for 40 tensors of 64 frames would
   * take minutes for a range that a quarter-million samples a frame already pin down.
   */
  addValues(values: Float32Array, maxSamples = 1 << 18): void {
    const stride = Math.max(1, Math.ceil(values.length / maxSamples)) | 1;
    for (let i = 0; i < values.length; i += stride) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < 0) this.negative.add(-v);
      else this.positive.add(v);
    }
  }

  /** Values seen. */
  get count(): number {
    return this.negative.total + this.positive.total;
  }

  /** The observed [min, max]. */
  get extremes(): [number, number] {
    return [0 - this.negative.max, this.positive.max];
  }

  /**
   * [lo, hi] holding all but (1 - percentile/100) of the values at each end; always contains 0 (a
   * uint8 zero point must represent 0 exactly, the padding value of every convolution).
   */
  percentileRange(percentile: number): [number, number] {
    if (!(percentile > 0 && percentile <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${percentile}`);
    const tail = this.count * (1 - percentile / 100);
    const lo = 0 - this.negative.clipAt(tail); // 0 - x: never -0
    const hi = this.positive.clipAt(tail);
    return [Math.min(lo, 0), Math.max(hi, 0)];
  }
}
