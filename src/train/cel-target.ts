/**
 * The cel-shading target of the structure loss: what a photo looks like as flat colour regions with
 * dark outlines. It is the "structure representation" of White-box Cartoonization (Wang & Yu, CVPR
 * 2020), which computes a flattened copy of the image and pulls the generator's perceptual features
 * towards it; flat regions are where anime differs most from a photo, and a GAN on a CPU budget of a
 * few thousand steps does not find them by itself (our first default model stayed the identity).
 *
 * First, optionally, the colours are graded towards the film's palette and their chroma scaled
 * (palette.ts). The flattening is then Winnemöller et al.'s real-time video abstraction (SIGGRAPH
 * 2006), on the CPU:
 *   1. an iterated bilateral filter (smooths inside regions, keeps their borders),
 *   2. optionally, a soft quantisation of luminance into a few bands (the flat shading of cels; off
 *      by default: a soft staircase is more than the generator's small palette path learns well),
 *   3. difference-of-Gaussians outlines drawn in dark (the line art).
 * It is only a training target: the generator learns it together with the anime style losses and
 * the adversarial loss, and inference never runs this code.
 */
import { convolveSeparable, gaussianKernel } from './dataset/gaussian-kernel.js';
import { gradeRgb, type PaletteMap } from './palette.js';

export interface CelTargetOptions {
  /** Bilateral filter passes. Default: 3. */
  iterations?: number;
  /** Bilateral window radius in pixels. Default: 2 (5×5). */
  radius?: number;
  /** Spatial sigma of the bilateral filter, pixels. Default: 2. */
  sigmaSpace?: number;
  /** Range sigma of the bilateral filter, RGB in [0, 1]. Default: 0.1. */
  sigmaRange?: number;
  /** Luminance bands (0 = no banding). Default: 8. */
  levels?: number;
  /** Sharpness of the band steps (larger = harder steps). Default: 10. */
  sharpness?: number;
  /** How dark the outlines are drawn, 0 = none, 1 = black. Default: 0.6. */
  lineStrength?: number;
  /**
   * The bilateral pass whose result the outlines are found in: 1 outlines the lightly smoothed photo
   * (texture too), `iterations` only the borders of the flattened regions. Default: 1.
   */
  linePass?: number;
  /** The film's palette (measured from the data sets, palette.ts). Default: none (colours kept). */
  palette?: PaletteMap;
  /** How far the colours move towards the palette, 0..1. Default: 1. */
  paletteStrength?: number;
  /** Chroma scale after the palette (1 = unchanged). Default: 1. */
  saturation?: number;
}

type ResolvedOptions = Required<Omit<CelTargetOptions, 'palette'>> & Pick<CelTargetOptions, 'palette'>;
const DEFAULTS: ResolvedOptions = { iterations: 3, radius: 2, sigmaSpace: 2, sigmaRange: 0.1, levels: 0, sharpness: 10, lineStrength: 0.6, linePass: 1, paletteStrength: 1, saturation: 1 };

/** Entries of the bilateral filter's range-weight table, over squared RGB distances 0..3. */
const RANGE_TABLE_SIZE = 4096;

/**
 * One bilateral pass over rgb in [0, 1] (HWC), edges clamped. The range weight exp(-d²/2σ²) comes
 * from a table over d² in [0, 3] (a finer step than any 8-bit difference): the exponential was
 * half of the filter's time, and the filter runs on every training image of every step.
 */
function bilateral(src: Float32Array, width: number, height: number, radius: number, sigmaSpace: number, sigmaRange: number): Float32Array {
  const out = new Float32Array(src.length);
  const spatial: number[] = [];
  for (let dy = -radius; dy <= radius; dy++) for (let dx = -radius; dx <= radius; dx++) spatial.push(Math.exp(-(dx * dx + dy * dy) / (2 * sigmaSpace * sigmaSpace)));
  const rangeScale = -1 / (2 * sigmaRange * sigmaRange);
  const tableStep = 3 / (RANGE_TABLE_SIZE - 1);
  const rangeTable = new Float32Array(RANGE_TABLE_SIZE);
  for (let i = 0; i < RANGE_TABLE_SIZE; i++) rangeTable[i] = Math.exp(i * tableStep * rangeScale);
  const toIndex = 1 / tableStep;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = (y * width + x) * 3;
      const r0 = src[c]!;
      const g0 = src[c + 1]!;
      const b0 = src[c + 2]!;
      let sr = 0;
      let sg = 0;
      let sb = 0;
      let sw = 0;
      let k = 0;
      for (let dy = -radius; dy <= radius; dy++) {
        const yy = Math.min(height - 1, Math.max(0, y + dy));
        for (let dx = -radius; dx <= radius; dx++, k++) {
          const xx = Math.min(width - 1, Math.max(0, x + dx));
          const j = (yy * width + xx) * 3;
          const r = src[j]!;
          const g = src[j + 1]!;
          const b = src[j + 2]!;
          const d = (r - r0) * (r - r0) + (g - g0) * (g - g0) + (b - b0) * (b - b0);
          const w = spatial[k]! * rangeTable[Math.min(RANGE_TABLE_SIZE - 1, (d * toIndex + 0.5) | 0)]!;
          sr += w * r;
          sg += w * g;
          sb += w * b;
          sw += w;
        }
      }
      out[c] = sr / sw;
      out[c + 1] = sg / sw;
      out[c + 2] = sb / sw;
    }
  }
  return out;
}

/** Gaussian blur of a single-channel image (radius 3σ, edges replicated). */
function blurGray(src: Float32Array, width: number, height: number, sigma: number): Float32Array {
  return convolveSeparable(src, width, height, 1, gaussianKernel(2 * Math.ceil(sigma * 3) + 1, sigma));
}

function lumaOf(rgb: Float32Array, n: number): Float32Array {
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  return y;
}

/**
 * The cel-shaded target of one image: `rgb` is HWC float in [-1, 1] (the trainer's range), and so is
 * the result.
 */
export function celTarget(rgb: Float32Array, width: number, height: number, options: CelTargetOptions = {}): Float32Array {
  const o: ResolvedOptions = { ...DEFAULTS, ...options };
  const n = width * height;
  if (rgb.length !== n * 3) throw new RangeError(`celTarget: ${rgb.length} values for ${width}x${height} rgb`);
  let img: Float32Array = new Float32Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) img[i] = (rgb[i]! + 1) / 2;
  gradeRgb(img, o.palette, { strength: o.paletteStrength, saturation: o.saturation });
  let linePassImage: Float32Array | undefined;
  for (let it = 0; it < o.iterations; it++) {
    img = bilateral(img, width, height, o.radius, o.sigmaSpace, o.sigmaRange);
    if (it + 1 === o.linePass) linePassImage = img;
  }
  // Outlines from the smoothed image: the DoG of its luminance, negative lobes only (dark side of an edge).
  const lines = new Float32Array(n);
  if (o.lineStrength > 0) {
    const y0 = lumaOf(linePassImage ?? img, n);
    const fine = blurGray(y0, width, height, 1);
    const coarse = blurGray(y0, width, height, 1.6);
    for (let i = 0; i < n; i++) {
      const dog = fine[i]! - coarse[i]!;
      // XDoG-style soft threshold: nothing below ε, then a quick ramp to a full line.
      lines[i] = Math.min(1, Math.max(0, (-dog - 0.01) * 40));
    }
  }
  const out = new Float32Array(rgb.length);
  const q = 1 / o.levels;
  for (let i = 0; i < n; i++) {
    const r = img[i * 3]!;
    const g = img[i * 3 + 1]!;
    const b = img[i * 3 + 2]!;
    const lum = 0.299 * r + 0.587 * g + 0.114 * b;
    const nearest = Math.round(lum / q) * q;
    const banded = o.levels > 0 ? nearest + (q / 2) * Math.tanh(o.sharpness * (lum - nearest) / q) : lum;
    // Scale the colour to the banded luminance (keeps hue and saturation), then darken the outlines.
    const scale = (lum > 1e-4 ? banded / lum : 1) * (1 - o.lineStrength * lines[i]!);
    out[i * 3] = Math.min(1, Math.max(0, r * scale)) * 2 - 1;
    out[i * 3 + 1] = Math.min(1, Math.max(0, g * scale)) * 2 - 1;
    out[i * 3 + 2] = Math.min(1, Math.max(0, b * scale)) * 2 - 1;
  }
  return out;
}

/** The cel-shaded targets of a batch of n square images (NHWC in [-1, 1]). */
export function celTargets(batch: Float32Array, n: number, size: number, options: CelTargetOptions = {}): Float32Array {
  const per = size * size * 3;
  const out = new Float32Array(batch.length);
  for (let k = 0; k < n; k++) out.set(celTarget(batch.subarray(k * per, (k + 1) * per), size, size, options), k * per);
  return out;
}
