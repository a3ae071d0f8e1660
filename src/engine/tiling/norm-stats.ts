/**
 * Instance-norm statistics of one input (per layer, per channel) and how the statistics of parts of a
 * frame combine into the frame's: means weighted by pixel count, variances through E[x²] − E[x]².
 */

/** One layer's per-channel mean and (population) variance. */
export interface LayerStats {
  mean: Float32Array;
  variance: Float32Array;
}

/** Every instance norm's statistics, in graph order. */
export type NormStats = LayerStats[];

/** Combines the statistics of parts (e.g. tiles) into those of their union; weights ∝ pixels. */
export function combineNormStats(parts: Array<{ stats: NormStats; weight: number }>): NormStats {
  const first = parts[0];
  if (!first) throw new RangeError('combineNormStats: no parts');
  const total = parts.reduce((s, p) => s + p.weight, 0);
  return first.stats.map((layer, l) => {
    const c = layer.mean.length;
    const mean = new Float32Array(c);
    const variance = new Float32Array(c);
    for (let k = 0; k < c; k += 1) {
      let m = 0;
      let sq = 0;
      for (const p of parts) {
        const s = p.stats[l]!;
        m += p.weight * s.mean[k]!;
        sq += p.weight * (s.variance[k]! + s.mean[k]! ** 2);
      }
      m /= total;
      mean[k] = m;
      variance[k] = Math.max(0, sq / total - m * m);
    }
    return { mean, variance };
  });
}
