/**
 * 1-D Gaussian kernels and separable convolution with edge replication, shared by Canny (pre-blur)
 * and the edge smoothing (the blur that replaces edge pixels).
 */

/** OpenCV's fixed binomial kernels, used by `cv2.getGaussianKernel(n, 0)` for n ≤ 7. */
const OPENCV_SMALL_KERNELS: Record<number, readonly number[]> = {
  1: [1],
  3: [0.25, 0.5, 0.25],
  5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
  7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
};

/**
 * Normalised 1-D Gaussian of odd `size`. With `sigma` <= 0 it does what OpenCV does, so the result
 * matches CartoonGAN's `cv2.getGaussianKernel(5, 0)`: the fixed binomial table for sizes up to 7,
 * otherwise sigma = 0.3·((size−1)·0.5 − 1) + 0.8.
 */
export function gaussianKernel(size: number, sigma = 0): Float32Array {
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0) throw new RangeError(`kernel size must be odd, got ${size}`);
  const table = sigma > 0 ? undefined : OPENCV_SMALL_KERNELS[size];
  if (table) return Float32Array.from(table);
  const s = sigma > 0 ? sigma : 0.3 * ((size - 1) * 0.5 - 1) + 0.8;
  const half = (size - 1) / 2;
  const k = new Float32Array(size);
  let sum = 0;
  for (let i = 0; i < size; i += 1) {
    const d = i - half;
    k[i] = Math.exp(-(d * d) / (2 * s * s));
    sum += k[i]!;
  }
  for (let i = 0; i < size; i += 1) k[i] = k[i]! / sum;
  return k;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Separable convolution of an interleaved float image with `channels` channels, borders replicated
 * (so a flat image stays exactly flat up to its edges).
 */
export function convolveSeparable(data: Float32Array, width: number, height: number, channels: number, kernel: Float32Array): Float32Array {
  const half = (kernel.length - 1) / 2;
  const tmp = new Float32Array(data.length);
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      for (let c = 0; c < channels; c += 1) {
        let acc = 0;
        for (let k = 0; k < kernel.length; k += 1) {
          const xx = clamp(x + k - half, 0, width - 1);
          acc += kernel[k]! * data[(y * width + xx) * channels + c]!;
        }
        tmp[(y * width + x) * channels + c] = acc;
      }
    }
  }
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      for (let c = 0; c < channels; c += 1) {
        let acc = 0;
        for (let k = 0; k < kernel.length; k += 1) {
          const yy = clamp(y + k - half, 0, height - 1);
          acc += kernel[k]! * tmp[(yy * width + x) * channels + c]!;
        }
        out[(y * width + x) * channels + c] = acc;
      }
    }
  }
  return out;
}
