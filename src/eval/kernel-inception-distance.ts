/**
 * Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD GANs"): the squared maximum mean
 * discrepancy between two sets of feature vectors under the cubic polynomial kernel
 * k(x, y) = (x·y / d + 1)³. Its estimator is unbiased, so unlike FID it is usable at tens of images:
 * two samples of the same distribution score about 0 (slightly negative values happen and are honest).
 */

function kernel(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return (dot / a.length + 1) ** 3;
}

/** Unbiased MMD² between the feature sets `x` and `y` (each at least 2 vectors of one length). */
export function kernelInceptionDistance(x: readonly Float32Array[], y: readonly Float32Array[]): number {
  if (x.length < 2 || y.length < 2) throw new RangeError(`KID needs at least 2 feature vectors per set (got ${x.length} and ${y.length})`);
  const d = x[0]!.length;
  for (const v of [...x, ...y]) if (v.length !== d) throw new RangeError(`KID: feature lengths differ (${v.length} vs ${d})`);
  const within = (s: readonly Float32Array[]): number => {
    let sum = 0;
    for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) sum += kernel(s[i]!, s[j]!);
    return (2 * sum) / (s.length * (s.length - 1));
  };
  let cross = 0;
  for (const a of x) for (const b of y) cross += kernel(a, b);
  return within(x) + within(y) - (2 * cross) / (x.length * y.length);
}
