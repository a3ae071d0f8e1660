/**
 * Pure measurements of how visible tiling is, used by the tests and the tile-tone study: a seam shows
 * as a step, i.e. a larger colour gradient on the columns (rows) where tiles meet than on the columns
 * next to them; a tone mismatch shows as a difference from the untiled stylization.
 */

/**
 * Mean |I(p+1) − I(p)| over the other axis and the channels, for each position p along `axis`
 * ('x': between columns p and p+1, length width−1; 'y': between rows, length height−1).
 */
export function gradientProfile(data: Uint8Array, width: number, height: number, axis: 'x' | 'y'): Float64Array {
  if (axis === 'x') {
    const prof = new Float64Array(width - 1);
    for (let y = 0; y < height; y += 1) {
      const row = y * width * 3;
      for (let x = 0; x + 1 < width; x += 1) {
        const i = row + x * 3;
        prof[x] = prof[x]! + Math.abs(data[i + 3]! - data[i]!) + Math.abs(data[i + 4]! - data[i + 1]!) + Math.abs(data[i + 5]! - data[i + 2]!);
      }
    }
    for (let x = 0; x < prof.length; x += 1) prof[x] = prof[x]! / (height * 3);
    return prof;
  }
  const prof = new Float64Array(height - 1);
  const stride = width * 3;
  for (let y = 0; y + 1 < height; y += 1) {
    let s = 0;
    for (let i = y * stride, end = i + stride; i < end; i += 1) s += Math.abs(data[i + stride]! - data[i]!);
    prof[y] = s / stride;
  }
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

/** Where tiling could leave a mark along one axis: every inner tile edge and every ramp's middle (as gradient positions). */
export function planBoundaries(axis: { starts: number[]; tileLength: number; ramps: Array<{ from: number; to: number }> }): number[] {
  const out = new Set<number>();
  axis.starts.forEach((s, i) => {
    if (i > 0) out.add(s - 1);
    if (i + 1 < axis.starts.length) out.add(s + axis.tileLength - 1);
  });
  for (const r of axis.ramps) out.add(Math.floor((r.from + r.to) / 2));
  return [...out].sort((a, b) => a - b);
}
