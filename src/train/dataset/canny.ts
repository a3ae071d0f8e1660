/**
 * Canny edge detection on luma, written out step by step (Gaussian, Sobel, non-maximum
 * suppression, double threshold with hysteresis) so each step is a pure, testable function and the
 * dataset builder needs no OpenCV.
 */
import { convolveSeparable, gaussianKernel } from './gaussian-kernel.js';
import type { GrayImage } from './rgb-image.js';

export interface CannyOptions {
  /** Side of the Gaussian pre-blur kernel (odd). Default: 5. */
  blurSize?: number;
  /** Sigma of the pre-blur. Default: 1.4 (the classic Canny choice). */
  blurSigma?: number;
  /** Gradient magnitude (L2 of Sobel on 0–255 luma) below which a pixel is never an edge. Default: 40. */
  lowThreshold?: number;
  /** Gradient magnitude above which a pixel is surely an edge. Default: 100. */
  highThreshold?: number;
}

/** An edge map: 1 where there is an edge, 0 elsewhere. */
export interface EdgeMask {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Gradients {
  /** L2 gradient magnitude. */
  magnitude: Float32Array;
  /** Gradient direction quantised to 0 (horizontal gradient, i.e. a vertical edge), 1 (45°), 2 (vertical), 3 (135°). */
  direction: Uint8Array;
  width: number;
  height: number;
}

export function gaussianBlurGray(gray: GrayImage, size = 5, sigma = 1.4): GrayImage {
  return { data: convolveSeparable(gray.data, gray.width, gray.height, 1, gaussianKernel(size, sigma)), width: gray.width, height: gray.height };
}

/** 3×3 Sobel with replicated borders; returns magnitude and the direction quantised to four bins. */
export function sobel(gray: GrayImage): Gradients {
  const { width, height, data } = gray;
  const magnitude = new Float32Array(width * height);
  const direction = new Uint8Array(width * height);
  const at = (x: number, y: number): number => data[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))]!;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      const i = y * width + x;
      magnitude[i] = Math.hypot(gx, gy);
      // Angle in [0, 180): bins centred on 0°, 45°, 90°, 135°.
      let angle = (Math.atan2(gy, gx) * 180) / Math.PI;
      if (angle < 0) angle += 180;
      direction[i] = angle < 22.5 || angle >= 157.5 ? 0 : angle < 67.5 ? 1 : angle < 112.5 ? 2 : 3;
    }
  }
  return { magnitude, direction, width, height };
}

/** Keeps a pixel's magnitude only where it is a local maximum across the edge (along the gradient). */
export function nonMaxSuppression(g: Gradients): Float32Array {
  const { width, height, magnitude, direction } = g;
  const out = new Float32Array(width * height);
  // Neighbour offsets along the gradient for each direction bin (image y grows downwards).
  const offsets: ReadonlyArray<readonly [number, number]> = [
    [1, 0],
    [1, 1],
    [0, 1],
    [-1, 1],
  ];
  const mag = (x: number, y: number): number => (x < 0 || y < 0 || x >= width || y >= height ? 0 : magnitude[y * width + x]!);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = y * width + x;
      const m = magnitude[i]!;
      if (m === 0) continue;
      const [dx, dy] = offsets[direction[i]!]!;
      // ">=" on one side and ">" on the other keeps exactly one pixel of a plateau two pixels wide.
      if (m >= mag(x + dx, y + dy) && m > mag(x - dx, y - dy)) out[i] = m;
    }
  }
  return out;
}

/**
 * Double threshold and hysteresis: strong pixels (≥ high) are edges, weak ones (≥ low) are edges
 * only when 8-connected to a strong one.
 */
export function hysteresis(suppressed: Float32Array, width: number, height: number, low: number, high: number): EdgeMask {
  const out = new Uint8Array(width * height);
  const stack: number[] = [];
  for (let i = 0; i < suppressed.length; i += 1) {
    if (suppressed[i]! >= high) {
      out[i] = 1;
      stack.push(i);
    }
  }
  while (stack.length > 0) {
    const i = stack.pop()!;
    const x = i % width;
    const y = (i - x) / width;
    for (let dy = -1; dy <= 1; dy += 1) {
      for (let dx = -1; dx <= 1; dx += 1) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
        const j = yy * width + xx;
        if (out[j] === 0 && suppressed[j]! >= low) {
          out[j] = 1;
          stack.push(j);
        }
      }
    }
  }
  return { data: out, width, height };
}

export function canny(gray: GrayImage, options: CannyOptions = {}): EdgeMask {
  const low = options.lowThreshold ?? 40;
  const high = options.highThreshold ?? 100;
  if (!(low >= 0 && high >= low)) throw new RangeError(`canny thresholds must satisfy 0 <= low <= high, got ${low}, ${high}`);
  const blurred = gaussianBlurGray(gray, options.blurSize ?? 5, options.blurSigma ?? 1.4);
  return hysteresis(nonMaxSuppression(sobel(blurred)), gray.width, gray.height, low, high);
}
