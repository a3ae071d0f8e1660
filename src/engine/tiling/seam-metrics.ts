/**
 * Pure measurements of how visible tiling is, used by the tests and the tile-tone study: a seam shows
 * as a step, i.e. a larger colour gradient on the columns (rows) where tiles meet than on the columns
 * next to them; a tone mismatch shows as a difference from the untiled stylization.
 */

/**
 * Mean |I(p+1) − I(p)| over the other axis and the channels, for each position p along `axis`
 * ('x': between columns p and p+1, length width−1; 'y': between rows, length height−1).
 *
 * With `band` > 1 the image is first averaged over bands of `band` pixels along the other axis
 * (columns: runs of `band` rows): strong texture (a random-weight model's output changes by ~50
 * levels from pixel to pixel) averages out, while a change of tone along a tile boundary, which is
 * the same all along it, stays — so the profile sees seams that per-pixel gradients drown.
 */
export function gradientProfile(data: Uint8Array, width: number, height: number, axis: 'x' | 'y', band = 1): Float64Array {
  const along = axis === 'x' ? width : height;
  const across = axis === 'x' ? height : width;
  const bands = Math.floor(across / band);
  const prof = new Float64Array(along - 1);
  const mean = new Float64Array(along * 3);
  for (let b = 0; b < bands; b += 1) {
    mean.fill(0);
    for (let j = b * band; j < (b + 1) * band; j += 1) {
      for (let p = 0; p < along; p += 1) {
        const i = axis === 'x' ? (j * width + p) * 3 : (p * width + j) * 3;
        mean[p * 3] = mean[p * 3]! + data[i]!;
        mean[p * 3 + 1] = mean[p * 3 + 1]! + data[i + 1]!;
        mean[p * 3 + 2] = mean[p * 3 + 2]! + data[i + 2]!;
      }
    }
    for (let p = 0; p + 1 < along; p += 1) {
      let d = 0;
      for (let k = 0; k < 3; k += 1) d += Math.abs(mean[(p + 1) * 3 + k]! - mean[p * 3 + k]!);
      prof[p] = prof[p]! + d / band;
    }
  }
  for (let p = 0; p < prof.length; p += 1) prof[p] = prof[p]! / (bands * 3);
  return prof;
}

/**
 * Mean gradient at the `boundaries` (positions p whose step p→p+1 crosses a tile boundary) divided by
 * the mean gradient of their neighbours (p ± 2..`reach`). ≈1 when nothing marks the boundary; a seam
 * pushes it up.
 */
export function boundaryStepRatio(profile: Float64Array, boundaries: number[], reach = 8): number {
  let onSum = 0;
  let onN = 0;
  let nearSum = 0;
  let nearN = 0;
  for (const b of boundaries) {
    if (b < 0 || b >= profile.length) continue;
    onSum += profile[b]!;
    onN += 1;
    for (let d = 2; d <= reach; d += 1) {
      for (const p of [b - d, b + d]) {
        if (p >= 0 && p < profile.length) {
          nearSum += profile[p]!;
          nearN += 1;
        }
      }
    }
  }
  if (onN === 0 || nearN === 0) return Number.NaN;
  return onSum / onN / Math.max(nearSum / nearN, 1e-9);
}

/** Mean |a − b| over the pixels at least `border` pixels from every edge (channels averaged). */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array, width: number, height: number, border = 0): number {
  let s = 0;
  let n = 0;
  for (let y = border; y < height - border; y += 1) {
    for (let i = (y * width + border) * 3, end = (y * width + width - border) * 3; i < end; i += 1) {
      s += Math.abs(a[i]! - b[i]!);
      n += 1;
    }
  }
  return n === 0 ? Number.NaN : s / n;
}

/**
 * Where tiling could leave a mark along one axis, as gradient positions: the step into every
 * hand-over ramp (for a zero-width ramp, the hard cut itself), its middle and its last step. Tile
 * edges are not listed: the blend gives them no weight.
 */
export function planBoundaries(axis: { ramps: Array<{ from: number; to: number }> }): number[] {
  const out = new Set<number>();
  for (const r of axis.ramps) {
    out.add(r.from - 1);
    if (r.to > r.from) {
      out.add(Math.floor((r.from + r.to) / 2));
      out.add(r.to - 1);
    }
  }
  return [...out].sort((a, b) => a - b);
}
