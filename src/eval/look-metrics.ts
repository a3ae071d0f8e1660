/**
 * Numbers that judge a stylized picture as a viewer would (issue 16): how much it changed, whether
 * the scene is still there, whether it has drawn outlines, whether its colour is flat, and whether
 * its regions still carry photo texture.
 *
 * The earlier ratios (style-metrics.ts) could not tell a softened photo from anime, because both
 * "flatten". What anime has and a softening filter does not is a dark line ON the object borders:
 * a step edge, blurred or kept crisp, is monotonic across the border, while a drawn outline is darker
 * than both sides. `outlinePresence` tests exactly that, so a blur or a median scores at or below the
 * photo, and drawn lines score high.
 */
import type { Frame } from '../frame.js';
import { correlation, downsample, luma, meanAbsDiff, quantile, sobelMagnitude } from './style-metrics.js';

type Image = Pick<Frame, 'data' | 'width' | 'height'>;

/** Separable Gaussian blur of one float plane (edges clamped). */
export function gaussianBlur(img: Float32Array, width: number, height: number, sigma: number): Float32Array {
  if (sigma <= 0) return Float32Array.from(img);
  const r = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += kernel[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  const tmp = new Float32Array(img.length);
  const out = new Float32Array(img.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += kernel[k + r]! * img[y * width + Math.min(width - 1, Math.max(0, x + k))]!;
      tmp[y * width + x] = s;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += kernel[k + r]! * tmp[Math.min(height - 1, Math.max(0, y + k)) * width + x]!;
      out[y * width + x] = s;
    }
  }
  return out;
}

/** The three channels of an rgb24 image as float planes. */
function planes(image: Image): [Float32Array, Float32Array, Float32Array] {
  const n = image.width * image.height;
  const p: [Float32Array, Float32Array, Float32Array] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0, q = 0; i < n; i++, q += 3) {
    p[0][i] = image.data[q]!;
    p[1][i] = image.data[q + 1]!;
    p[2][i] = image.data[q + 2]!;
  }
  return p;
}

/**
 * Colour gradient of an image smoothed with `sigma` (Di Zenzo: the largest eigenvalue of the summed
 * per-channel structure tensor), so an edge between two colours of equal brightness counts too.
 * Returns the magnitude (in Sobel units) and the unit normal across the edge per pixel.
 */
export function colourGradient(image: Image, sigma: number): { magnitude: Float32Array; nx: Float32Array; ny: Float32Array; smoothed: Float32Array[] } {
  const { width, height } = image;
  const n = width * height;
  const jxx = new Float32Array(n);
  const jxy = new Float32Array(n);
  const jyy = new Float32Array(n);
  const smoothed = planes(image).map((plane) => gaussianBlur(plane, width, height, sigma));
  for (const p of smoothed) {
    for (let y = 1; y < height - 1; y++) {
      for (let x = 1; x < width - 1; x++) {
        const i = y * width + x;
        const gx = p[i - width + 1]! + 2 * p[i + 1]! + p[i + width + 1]! - p[i - width - 1]! - 2 * p[i - 1]! - p[i + width - 1]!;
        const gy = p[i + width - 1]! + 2 * p[i + width]! + p[i + width + 1]! - p[i - width - 1]! - 2 * p[i - width]! - p[i - width + 1]!;
        jxx[i]! += gx * gx;
        jxy[i]! += gx * gy;
        jyy[i]! += gy * gy;
      }
    }
  }
  const magnitude = new Float32Array(n);
  const nx = new Float32Array(n);
  const ny = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = jxx[i]!, b = jxy[i]!, c = jyy[i]!;
    const lambda = (a + c) / 2 + Math.sqrt(((a - c) / 2) ** 2 + b * b);
    // sqrt(λ/3): the same scale as a single channel's Sobel magnitude for a grey edge.
    magnitude[i] = Math.sqrt(lambda / 3);
    const theta = 0.5 * Math.atan2(2 * b, a - c);
    nx[i] = Math.cos(theta);
    ny[i] = Math.sin(theta);
  }
  return { magnitude, nx, ny, smoothed };
}

/** Bilinear sample of a plane, clamped to the image. */
function sample(img: Float32Array, width: number, height: number, x: number, y: number): number {
  const cx = Math.min(width - 1, Math.max(0, x));
  const cy = Math.min(height - 1, Math.max(0, y));
  const x0 = Math.floor(cx), y0 = Math.floor(cy);
  const x1 = Math.min(width - 1, x0 + 1), y1 = Math.min(height - 1, y0 + 1);
  const fx = cx - x0, fy = cy - y0;
  const top = img[y0 * width + x0]! * (1 - fx) + img[y0 * width + x1]! * fx;
  const bottom = img[y1 * width + x0]! * (1 - fx) + img[y1 * width + x1]! * fx;
  return top * (1 - fy) + bottom * fy;
}

export interface ObjectBorderOptions {
  /** Smoothing before the gradient, so texture does not count as a border (low frequency). Default: 2. */
  sigma?: number;
  /** Only the strongest borders: the gradient must be in this top fraction of the image. Default: 0.1. */
  topFraction?: number;
  /** ...and at least this strong (Sobel units of the smoothed image; a flat image has no borders). Default: 24. */
  minMagnitude?: number;
  /**
   * A border separates two regions: the smoothed colours `regionOffset` pixels to either side must
   * differ by at least this much (rgb distance). This leaves out thin things (a railing against the
   * sky, a window frame) whose two sides are the same region: those are lines already. Default: 40.
   */
  minRegionContrast?: number;
  /** Where the two regions are read, pixels from the border. Default: 6. */
  regionOffset?: number;
}

/**
 * The input's object borders: pixels of strong, low-frequency colour edges, thinned to a 1-pixel
 * line (non-maximum suppression across the edge), with the normal across each.
 */
export function objectBorders(image: Image, options: ObjectBorderOptions = {}): { index: Uint32Array; nx: Float32Array; ny: Float32Array } {
  const { width, height } = image;
  const g = colourGradient(image, options.sigma ?? 2);
  const threshold = Math.max(options.minMagnitude ?? 24, quantile(g.magnitude, 1 - (options.topFraction ?? 0.1)));
  const index: number[] = [];
  const margin = 2;
  const contrast = options.minRegionContrast ?? 40;
  const offset = options.regionOffset ?? 6;
  for (let y = margin; y < height - margin; y++) {
    for (let x = margin; x < width - margin; x++) {
      const i = y * width + x;
      const m = g.magnitude[i]!;
      if (m < threshold) continue;
      const dx = g.nx[i]!, dy = g.ny[i]!;
      if (m < sample(g.magnitude, width, height, x + dx, y + dy) || m < sample(g.magnitude, width, height, x - dx, y - dy)) continue;
      let d2 = 0;
      for (const p of g.smoothed) d2 += (sample(p, width, height, x + offset * dx, y + offset * dy) - sample(p, width, height, x - offset * dx, y - offset * dy)) ** 2;
      if (d2 < contrast * contrast) continue;
      index.push(i);
    }
  }
  const idx = Uint32Array.from(index);
  return { index: idx, nx: Float32Array.from(idx, (i) => g.nx[i]!), ny: Float32Array.from(idx, (i) => g.ny[i]!) };
}

export interface OutlineOptions extends ObjectBorderOptions {
  /** How far from the border the line may sit (pixels, either side). Default: 2. */
  reach?: number;
  /** Where the two sides are read (pixels from the border). Default: 5. */
  side?: number;
  /** How much darker than both sides the line must be (grey levels). Default: 12. */
  darker?: number;
  /** Gaussian smoothing (σ, pixels) of the output's luma before the test, against noise. Default: 0.8. */
  smoothing?: number;
}

/**
 * Fraction of the input's object borders along which the output has a dark line: somewhere within
 * `reach` pixels across the border the output's (lightly smoothed) luma is at least `darker` grey levels below BOTH
 * sides (read `side` and `side`+1 pixels away). A step edge, crisp or blurred, never passes: its
 * middle lies between its sides. 0 = no outlines, 1 = every border outlined. NaN without borders.
 */
export function outlinePresence(input: Image, output: Image, options: OutlineOptions = {}): number {
  return outlinesAlong(objectBorders(input, options), output, options);
}

type Borders = ReturnType<typeof objectBorders>;

/** outlinePresence on borders found once (the input's borders serve the input and the output). */
function outlinesAlong(borders: Borders, output: Image, options: OutlineOptions): number {
  const { width, height } = output;
  if (borders.index.length === 0) return Number.NaN;
  // A light smoothing so pixel noise cannot pass for a line; a drawn 1-2 px line keeps most of its depth.
  const y = gaussianBlur(luma(output), width, height, options.smoothing ?? 0.8);
  const reach = options.reach ?? 2;
  const side = options.side ?? 5;
  const darker = options.darker ?? 12;
  let hits = 0;
  for (let k = 0; k < borders.index.length; k++) {
    const i = borders.index[k]!;
    const px = i % width, py = (i - px) / width;
    const nx = borders.nx[k]!, ny = borders.ny[k]!;
    const at = (t: number): number => sample(y, width, height, px + t * nx, py + t * ny);
    let centre = Infinity;
    for (let t = -reach; t <= reach; t += 0.5) centre = Math.min(centre, at(t));
    const a = (at(-side) + at(-side - 1)) / 2;
    const b = (at(side) + at(side + 1)) / 2;
    if (centre <= Math.min(a, b) - darker) hits++;
  }
  return hits / borders.index.length;
}

/** Sobel magnitude of the luma at half size (2×2 box), the scale the numbers are taken at. */
export function halfSizeEdges(image: Image): Float32Array {
  const half = downsample(luma(image), image.width, image.height, 2);
  return sobelMagnitude(half.img, half.width, half.height);
}

/** Mean of the largest `fraction` of the values. */
export function topMean(values: Float32Array, fraction: number): number {
  const sorted = Float32Array.from(values).sort();
  const n = Math.max(1, Math.round(sorted.length * fraction));
  let s = 0;
  for (let i = sorted.length - n; i < sorted.length; i++) s += sorted[i]!;
  return s / n;
}

/** Number of colours (4 bits per channel) that together cover `coverage` of the pixels. */
export function coloursCovering(image: Pick<Frame, 'data'>, coverage = 0.9): number {
  const counts = new Uint32Array(4096);
  const { data } = image;
  for (let p = 0; p < data.length; p += 3) counts[((data[p]! >> 4) << 8) | ((data[p + 1]! >> 4) << 4) | (data[p + 2]! >> 4)]!++;
  const sorted = Array.from(counts).sort((a, b) => b - a);
  const need = coverage * (data.length / 3);
  let covered = 0;
  for (let k = 0; k < sorted.length; k++) {
    covered += sorted[k]!;
    if (covered >= need) return k + 1;
  }
  return sorted.length;
}

export interface FlatTextureOptions {
  /** Smoothing of the gradient that decides which pixels lie in a flat region. Default: 2. */
  sigma?: number;
  /** A pixel is in a flat region when that smoothed colour gradient is below this (Sobel units, 8× grey levels per pixel). Default: 24. */
  maxGradient?: number;
}

/**
 * Texture inside the image's flat regions: the mean absolute difference between luma and a slightly
 * smoothed luma (σ 1), over the pixels whose low-frequency colour gradient is small, i.e. inside the
 * regions a segmentation would see (edges and lines are left out). The smoothing keeps ramps, so a
 * soft graded sky scores about 0 like a flat fill, while grass, foliage, brick or noise score
 * several grey levels. NaN when nothing in the image is flat.
 */
export function flatTexture(image: Image, options: FlatTextureOptions = {}): number {
  const { width, height } = image;
  const g = colourGradient(image, options.sigma ?? 2).magnitude;
  const maxGradient = options.maxGradient ?? 24;
  const y = luma(image);
  const smooth = gaussianBlur(y, width, height, 1);
  let sum = 0;
  let n = 0;
  for (let r = 2; r < height - 2; r++) {
    for (let c = 2; c < width - 2; c++) {
      const i = r * width + c;
      if (g[i]! >= maxGradient) continue;
      sum += Math.abs(y[i]! - smooth[i]!);
      n++;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}

/** The look of one output against its input. */
export interface LookMetrics {
  /** Mean absolute change of the rgb values, grey levels 0–255. Issue 16 wants ≥ 20. */
  meanChange: number;
  /** Correlation of the Sobel magnitudes at half size, 1 = same structure. Issue 16 wants ≥ 0.75. */
  edgeCorrelationHalf: number;
  /** Mean of the strongest 5% Sobel magnitudes at half size, output / input. Issue 16 wants ≥ 1.15. */
  strongEdgeRatio: number;
  /** Fraction of the input's object borders with a dark line in the output (outlinePresence). */
  outlines: number;
  /** The same measured on the input itself: the photo's own dark lines, the baseline. */
  inputOutlines: number;
  /** 4-bit colours covering 90% of the pixels, output / input. Issue 16 wants ≤ 0.8. */
  colourRatio90: number;
  /** 4-bit colours covering 90% of the output's pixels. */
  colours90: number;
  /** Texture left in the output's flat regions (flatTexture), grey levels. */
  flatTexture: number;
  /** The same for the input. */
  inputFlatTexture: number;
}

export function lookMetrics(input: Frame, output: Frame): LookMetrics {
  if (input.width !== output.width || input.height !== output.height) {
    throw new RangeError(`output ${output.width}x${output.height} differs from input ${input.width}x${input.height}`);
  }
  const a = halfSizeEdges(input);
  const b = halfSizeEdges(output);
  const colours90 = coloursCovering(output);
  const borders = objectBorders(input);
  return {
    meanChange: meanAbsDiff(input.data, output.data),
    edgeCorrelationHalf: correlation(a, b),
    strongEdgeRatio: topMean(b, 0.05) / Math.max(topMean(a, 0.05), 1e-6),
    outlines: outlinesAlong(borders, output, {}),
    inputOutlines: outlinesAlong(borders, input, {}),
    colourRatio90: colours90 / coloursCovering(input),
    colours90,
    flatTexture: flatTexture(output),
    inputFlatTexture: flatTexture(input),
  };
}
