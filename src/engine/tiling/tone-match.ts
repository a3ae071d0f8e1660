/**
 * Tone matching of stylized tiles to a stylized, downscaled copy of the whole frame.
 *
 * Why: the generator's instance normalisation computes each channel's mean and variance over the
 * whole input. A tile of sky and a tile of street therefore get different normalisations, and the
 * same colour comes out in a different tone in each: a blended seam is soft but still visible as a
 * change of tone between tiles. A downscaled copy of the whole frame, stylized once, has the
 * whole-frame statistics; correcting each tile's low frequencies toward it makes every tile agree
 * with one normalisation, while the tile keeps its own full-resolution detail.
 *
 * Both sides are compared on a grid of cells about the size of one reference pixel (finer is
 * meaningless: the reference has no detail there), so the comparison is between like and like.
 */
import type { TileRect } from './tile-plan.js';

/** How tiles are corrected toward the reference. */
export type ToneMode =
  /** No correction: blending only. */
  | 'none'
  /** One gain and offset per tile and channel, matching the mean and std of its cells to the reference's. */
  | 'affine'
  /** 'affine', then per-cell colour offsets (smoothly interpolated): the tile's low frequencies become the reference's. */
  | 'lowfreq';

/** A stylized downscaled copy of the whole frame. */
export interface ToneReference {
  data: Uint8Array;
  width: number;
  height: number;
  /** Frame size the reference was made from. */
  frameWidth: number;
  frameHeight: number;
}

/** Means of each `cell`×`cell` block of a w×h rgb image (edge cells are smaller): gw*gh*3 values. */
export function cellMeans(pixels: ArrayLike<number>, w: number, h: number, cell: number): { gw: number; gh: number; means: Float32Array } {
  const gw = Math.ceil(w / cell);
  const gh = Math.ceil(h / cell);
  const sums = new Float64Array(gw * gh * 3);
  const counts = new Float64Array(gw * gh);
  for (let y = 0; y < h; y += 1) {
    const cy = Math.floor(y / cell) * gw;
    for (let x = 0, i = y * w * 3; x < w; x += 1, i += 3) {
      const c = cy + Math.floor(x / cell);
      sums[c * 3] = sums[c * 3]! + pixels[i]!;
      sums[c * 3 + 1] = sums[c * 3 + 1]! + pixels[i + 1]!;
      sums[c * 3 + 2] = sums[c * 3 + 2]! + pixels[i + 2]!;
      counts[c] = counts[c]! + 1;
    }
  }
  const means = new Float32Array(gw * gh * 3);
  for (let c = 0; c < gw * gh; c += 1) {
    for (let k = 0; k < 3; k += 1) means[c * 3 + k] = sums[c * 3 + k]! / counts[c]!;
  }
  return { gw, gh, means };
}

/** Bilinear sample of an rgb image at fractional pixel coordinates (pixel centres at integers), clamped to the edges. */
function sampleBilinear(img: ArrayLike<number>, w: number, h: number, fx: number, fy: number, out: Float32Array, o: number): void {
  const x = Math.min(Math.max(fx, 0), w - 1);
  const y = Math.min(Math.max(fy, 0), h - 1);
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const ax = x - x0;
  const ay = y - y0;
  for (let k = 0; k < 3; k += 1) {
    const a = img[(y0 * w + x0) * 3 + k]! * (1 - ax) + img[(y0 * w + x1) * 3 + k]! * ax;
    const b = img[(y1 * w + x0) * 3 + k]! * (1 - ax) + img[(y1 * w + x1) * 3 + k]! * ax;
    out[o + k] = a * (1 - ay) + b * ay;
  }
}

/**
 * The reference's mean colour over each of the tile's cells (area average over the reference pixels
 * the cell covers): gw*gh*3 values. Averaging, not point sampling: the reference has texture of its
 * own at its pixel scale, and a point sample of it would be added to the tile as blotches.
 */
export function referenceCells(ref: ToneReference, rect: Pick<TileRect, 'x' | 'y' | 'width' | 'height'>, cell: number): Float32Array {
  const gw = Math.ceil(rect.width / cell);
  const gh = Math.ceil(rect.height / cell);
  const sx = ref.width / ref.frameWidth;
  const sy = ref.height / ref.frameHeight;
  const out = new Float32Array(gw * gh * 3);
  for (let cy = 0; cy < gh; cy += 1) {
    const fy0 = rect.y + cy * cell;
    const fy1 = Math.min(fy0 + cell, rect.y + rect.height);
    const ry0 = Math.min(ref.height - 1, Math.floor(fy0 * sy));
    const ry1 = Math.max(ry0 + 1, Math.min(ref.height, Math.ceil(fy1 * sy)));
    for (let cx = 0; cx < gw; cx += 1) {
      const fx0 = rect.x + cx * cell;
      const fx1 = Math.min(fx0 + cell, rect.x + rect.width);
      const rx0 = Math.min(ref.width - 1, Math.floor(fx0 * sx));
      const rx1 = Math.max(rx0 + 1, Math.min(ref.width, Math.ceil(fx1 * sx)));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = ry0; y < ry1; y += 1) {
        for (let x = rx0, i = (y * ref.width + rx0) * 3; x < rx1; x += 1, i += 3) {
          r += ref.data[i]!;
          g += ref.data[i + 1]!;
          b += ref.data[i + 2]!;
        }
      }
      const n = (ry1 - ry0) * (rx1 - rx0);
      const o = (cy * gw + cx) * 3;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
    }
  }
  return out;
}

/**
 * Cell size (frame pixels) for comparing a tile with the reference: several reference pixels wide, so
 * that both sides are compared on their low frequencies only (tone, not texture), and at least `min`.
 */
export function referenceCellSize(ref: ToneReference, min = 32): number {
  return Math.max(min, 4 * Math.ceil(Math.max(ref.frameWidth / ref.width, ref.frameHeight / ref.height)));
}

/**
 * Corrects one stylized tile toward the reference. Returns float pixels (rounded once, when the tiles
 * are blended) — or the tile itself for mode 'none'.
 */
export function matchTone(tile: Uint8Array, rect: Pick<TileRect, 'x' | 'y' | 'width' | 'height'>, ref: ToneReference | undefined, mode: ToneMode, cell = ref ? referenceCellSize(ref) : 16): Uint8Array | Float32Array {
  if (mode === 'none' || !ref) return tile;
  const { width: w, height: h } = rect;
  const { gw, gh, means } = cellMeans(tile, w, h, cell);
  const target = referenceCells(ref, rect, cell);
  // Both modes first match each channel's contrast and mean over the tile (a gain and an offset):
  // instance normalisation scales features by the tile's own std, so tiles differ in contrast too,
  // and per-cell offsets alone cannot fix a contrast difference.
  const out = new Float32Array(tile.length);
  const n = gw * gh;
  for (let k = 0; k < 3; k += 1) {
    let mt = 0;
    let mr = 0;
    for (let c = 0; c < n; c += 1) {
      mt += means[c * 3 + k]!;
      mr += target[c * 3 + k]!;
    }
    mt /= n;
    mr /= n;
    let vt = 0;
    let vr = 0;
    for (let c = 0; c < n; c += 1) {
      vt += (means[c * 3 + k]! - mt) ** 2;
      vr += (target[c * 3 + k]! - mr) ** 2;
    }
    // A flat tile has no contrast to scale; a bounded gain keeps noise from being amplified.
    const gain = vt > 1e-6 ? Math.min(2, Math.max(0.5, Math.sqrt(vr / vt))) : 1;
    const offset = mr - gain * mt;
    for (let i = k; i < tile.length; i += 3) out[i] = gain * tile[i]! + offset;
    for (let c = 0; c < n; c += 1) means[c * 3 + k] = gain * means[c * 3 + k]! + offset;
  }
  if (mode === 'affine') return out;
  // lowfreq: then per-cell offsets, interpolated bilinearly between cell centres so the correction
  // has no steps of its own: what is left of the tone difference varies across the tile.
  const diff = new Float32Array(gw * gh * 3);
  for (let i = 0; i < diff.length; i += 1) diff[i] = target[i]! - means[i]!;
  const d = new Float32Array(3);
  for (let y = 0; y < h; y += 1) {
    const fy = (y + 0.5) / cell - 0.5;
    for (let x = 0, i = y * w * 3; x < w; x += 1, i += 3) {
      sampleBilinear(diff, gw, gh, (x + 0.5) / cell - 0.5, fy, d, 0);
      out[i] = out[i]! + d[0]!;
      out[i + 1] = out[i + 1]! + d[1]!;
      out[i + 2] = out[i + 2]! + d[2]!;
    }
  }
  return out;
}
