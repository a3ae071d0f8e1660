/**
 * Pure area-average downscaling of an rgb24 image. The tone reference is a downscaled copy of the
 * whole frame; averaging (not point sampling) keeps it free of aliasing, which the model would
 * otherwise stylize as texture that the full-resolution tiles do not have.
 */

/** Downscales (or copies) `src` (sw×sh rgb24) to dw×dh by averaging the source pixels each target pixel covers. */
export function resizeArea(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  if (dw > sw || dh > sh || dw < 1 || dh < 1) throw new RangeError(`resizeArea: ${sw}x${sh} → ${dw}x${dh} is not a downscale`);
  const out = new Uint8Array(dw * dh * 3);
  const x0s = new Int32Array(dw + 1);
  for (let x = 0; x <= dw; x += 1) x0s[x] = Math.round((x * sw) / dw);
  // One output row at a time: sum the covered source rows into a row of column-bin sums.
  const sums = new Float64Array(dw * 3);
  for (let y = 0; y < dh; y += 1) {
    const ya = Math.round((y * sh) / dh);
    const yb = Math.max(ya + 1, Math.round(((y + 1) * sh) / dh));
    sums.fill(0);
    for (let sy = ya; sy < yb; sy += 1) {
      const row = sy * sw * 3;
      for (let x = 0; x < dw; x += 1) {
        const xa = x0s[x]!;
        const xb = Math.max(xa + 1, x0s[x + 1]!);
        let r = 0;
        let g = 0;
        let b = 0;
        for (let sx = xa, i = row + xa * 3; sx < xb; sx += 1, i += 3) {
          r += src[i]!;
          g += src[i + 1]!;
          b += src[i + 2]!;
        }
        sums[x * 3] = sums[x * 3]! + r;
        sums[x * 3 + 1] = sums[x * 3 + 1]! + g;
        sums[x * 3 + 2] = sums[x * 3 + 2]! + b;
      }
    }
    for (let x = 0; x < dw; x += 1) {
      const n = (yb - ya) * (Math.max(x0s[x]! + 1, x0s[x + 1]!) - x0s[x]!);
      const o = (y * dw + x) * 3;
      out[o] = Math.round(sums[x * 3]! / n);
      out[o + 1] = Math.round(sums[x * 3 + 1]! / n);
      out[o + 2] = Math.round(sums[x * 3 + 2]! / n);
    }
  }
  return out;
}
