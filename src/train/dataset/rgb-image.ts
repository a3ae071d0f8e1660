/**
 * The in-memory image the dataset builder works on: rgb24, row-major, like a Frame without timing.
 * Every transformation here is pure and allocates its result, so the steps can be tested alone.
 */

export interface RgbImage {
  /** rgb24 pixels, row-major, length width*height*3. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** A rectangle inside an image, in pixels; right/bottom exclusive through width/height. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A single-channel float image (luma, gradients, masks). */
export interface GrayImage {
  data: Float32Array;
  width: number;
  height: number;
}

/** BT.601 luma in [0, 255], the weights ffmpeg and OpenCV use for gray. */
export function toLuma(image: RgbImage): GrayImage {
  const { width, height, data } = image;
  const out = new Float32Array(width * height);
  for (let i = 0, p = 0; i < out.length; i += 1, p += 3) {
    out[i] = 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
  }
  return { data: out, width, height };
}

/** Copies the pixels of `rect` (which must lie inside the image) into a new image. */
export function cropImage(image: RgbImage, rect: Rect): RgbImage {
  const { x, y, width, height } = rect;
  if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > image.width || y + height > image.height) {
    throw new RangeError(`crop ${width}x${height}+${x}+${y} is outside the ${image.width}x${image.height} image`);
  }
  const out = new Uint8Array(width * height * 3);
  const rowBytes = width * 3;
  for (let row = 0; row < height; row += 1) {
    const src = ((y + row) * image.width + x) * 3;
    out.set(image.data.subarray(src, src + rowBytes), row * rowBytes);
  }
  return { data: out, width, height };
}

/** Mean and standard deviation of the luma: black frames have a low mean, flat ones a low deviation. */
export function lumaStats(gray: GrayImage): { mean: number; std: number } {
  let sum = 0;
  let sumSq = 0;
  for (const v of gray.data) {
    sum += v;
    sumSq += v * v;
  }
  const n = gray.data.length;
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
}
