/**
 * Difference hash (dHash) for near-duplicate removal: the luma shrunk to 9×8 by area averaging, one
 * bit per horizontal neighbour pair (left brighter than right). Robust to noise, compression and
 * small brightness changes; two frames of the same shot differ in a few of the 64 bits, unrelated
 * frames in about half.
 */
import type { GrayImage } from './rgb-image.js';

/** Area-average downscale of a gray image to w×h (each output pixel averages its source box). */
export function shrinkGray(gray: GrayImage, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let oy = 0; oy < h; oy += 1) {
    const y0 = Math.floor((oy * gray.height) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((oy + 1) * gray.height) / h));
    for (let ox = 0; ox < w; ox += 1) {
      const x0 = Math.floor((ox * gray.width) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((ox + 1) * gray.width) / w));
      let sum = 0;
      for (let y = y0; y < y1; y += 1) {
        for (let x = x0; x < x1; x += 1) sum += gray.data[y * gray.width + x]!;
      }
      out[oy * w + ox] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}

/** 64-bit dHash as a 16-digit hex string (stable in JSON manifests). */
export function dhash(gray: GrayImage): string {
  const small = shrinkGray(gray, 9, 8);
  let hex = '';
  for (let row = 0; row < 8; row += 1) {
    let byte = 0;
    for (let col = 0; col < 8; col += 1) {
      byte = (byte << 1) | (small[row * 9 + col]! > small[row * 9 + col + 1]! ? 1 : 0);
    }
    hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

/** Number of differing bits between two hashes of the same length. */
export function hammingDistance(a: string, b: string): number {
  if (a.length !== b.length) throw new RangeError(`hash lengths differ: ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i += 2) {
    let x = parseInt(a.slice(i, i + 2), 16) ^ parseInt(b.slice(i, i + 2), 16);
    while (x !== 0) {
      d += x & 1;
      x >>= 1;
    }
  }
  return d;
}

/** The first hash in `kept` within `threshold` bits of `hash`, or undefined. */
export function findNearDuplicate(hash: string, kept: readonly string[], threshold: number): string | undefined {
  return kept.find((k) => hammingDistance(hash, k) <= threshold);
}
