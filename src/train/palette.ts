/**
 * The film's palette, measured from the data sets and applied to photos: the colour half of the
 * cel-shaded training target (cel-target.ts).
 *
 * An anime film is graded differently from a photograph (our Ren'Py backgrounds are brighter and
 * bluer than the photos, with paler mid-tones). The palette is measured as quantiles of CIELAB
 * lightness L and the opponent axes a and b, over the photo crops and over the anime crops; a photo
 * is graded by mapping each channel through the photos' quantiles onto the film's (per-channel
 * histogram matching, a global colour curve: it depends only on a pixel's own colour, so the
 * generator's 1×1 "palette" path can learn it). Lab keeps the three channels close to independent,
 * which per-channel matching in RGB does not.
 */
import sharp from 'sharp';

/** Quantiles 0%, 1%, …, 100% of L, a and b. */
export type LabQuantiles = [number[], number[], number[]];

/** How the photos' colours map onto the film's. */
export interface PaletteMap {
  photo: LabQuantiles;
  anime: LabQuantiles;
}

/** Number of quantiles kept per channel (every percent). */
export const PALETTE_QUANTILES = 101;

const srgbToLinear = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const linearToSrgb = (c: number): number => (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
const EPSILON = 216 / 24389;
const KAPPA = 24389 / 27;
const labF = (t: number): number => (t > EPSILON ? Math.cbrt(t) : (KAPPA * t + 16) / 116);
const labFInverse = (t: number): number => (t * t * t > EPSILON ? t * t * t : (116 * t - 16) / KAPPA);
// D65 white.
const XN = 0.95047;
const ZN = 1.08883;

/** sRGB in [0, 1] → CIELAB (D65): L in [0, 100], a and b roughly in [-110, 110]. */
export function rgbToLab(r: number, g: number, b: number): [number, number, number] {
  const R = srgbToLinear(r);
  const G = srgbToLinear(g);
  const B = srgbToLinear(b);
  const fx = labF((0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / XN);
  const fy = labF(0.2126729 * R + 0.7151522 * G + 0.072175 * B);
  const fz = labF((0.0193339 * R + 0.119192 * G + 0.9503041 * B) / ZN);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIELAB (D65) → sRGB in [0, 1], out-of-gamut colours clipped. */
export function labToRgb(L: number, a: number, b: number): [number, number, number] {
  const fy = (L + 16) / 116;
  const X = labFInverse(fy + a / 500) * XN;
  const Y = labFInverse(fy);
  const Z = labFInverse(fy - b / 200) * ZN;
  const clip = (v: number): number => Math.min(1, Math.max(0, linearToSrgb(Math.min(1, Math.max(0, v)))));
  return [
    clip(3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z),
    clip(-0.969266 * X + 1.8760108 * Y + 0.041556 * Z),
    clip(0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z),
  ];
}

/** The quantiles of sorted values (nearest rank). */
function quantilesOf(sorted: Float64Array): number[] {
  const out: number[] = [];
  for (let q = 0; q < PALETTE_QUANTILES; q++) out.push(sorted[Math.round((q / (PALETTE_QUANTILES - 1)) * (sorted.length - 1))]!);
  return out;
}

/**
 * The Lab quantiles of rgb24 images, from every `stride`-th pixel (a few hundred crops of 256² hold
 * millions of pixels; a sample of ~1/37 gives the same percentiles to a small fraction of a unit).
 */
export function measureLabQuantiles(images: Iterable<Uint8Array>, stride = 37): LabQuantiles {
  const channels: number[][] = [[], [], []];
  for (const data of images) {
    for (let i = 0; i + 2 < data.length; i += 3 * stride) {
      const lab = rgbToLab(data[i]! / 255, data[i + 1]! / 255, data[i + 2]! / 255);
      channels[0]!.push(lab[0]);
      channels[1]!.push(lab[1]);
      channels[2]!.push(lab[2]);
    }
  }
  if (channels[0]!.length === 0) throw new RangeError('measureLabQuantiles: no pixels');
  return channels.map((c) => quantilesOf(Float64Array.from(c).sort())) as LabQuantiles;
}

/** Reads image files (any format sharp reads) and measures their Lab quantiles. */
export async function measureLabQuantilesOfFiles(files: readonly string[]): Promise<LabQuantiles> {
  const images: Uint8Array[] = [];
  for (const file of files) {
    const { data } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    images.push(data);
  }
  return measureLabQuantiles(images);
}

/** x mapped through the piecewise-linear curve xs → ys (xs increasing); beyond the ends, shifted. */
function throughCurve(x: number, xs: readonly number[], ys: readonly number[]): number {
  const last = xs.length - 1;
  if (x <= xs[0]!) return ys[0]! + (x - xs[0]!);
  if (x >= xs[last]!) return ys[last]! + (x - xs[last]!);
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const span = xs[hi]! - xs[lo]!;
  // Ties in the quantiles (a flat stretch of the histogram) map to their midpoint.
  const t = span > 1e-9 ? (x - xs[lo]!) / span : 0.5;
  return ys[lo]! + t * (ys[hi]! - ys[lo]!);
}

export interface GradeOptions {
  /** How far towards the film's palette, 0 = not at all, 1 = fully. Default: 1. */
  strength?: number;
  /** Chroma (colourfulness) scale applied after the palette, hue kept. Default: 1. */
  saturation?: number;
}

/**
 * Grades rgb (HWC float in [0, 1], in place) towards the film's palette, then scales its chroma.
 * Either part may be absent (no palette: the saturation alone).
 */
export function gradeRgb(rgb: Float32Array, palette: PaletteMap | undefined, options: GradeOptions = {}): void {
  const strength = options.strength ?? 1;
  const saturation = options.saturation ?? 1;
  if ((!palette || strength === 0) && saturation === 1) return;
  for (let i = 0; i + 2 < rgb.length; i += 3) {
    let [L, a, b] = rgbToLab(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!);
    if (palette && strength !== 0) {
      L += strength * (throughCurve(L, palette.photo[0], palette.anime[0]) - L);
      a += strength * (throughCurve(a, palette.photo[1], palette.anime[1]) - a);
      b += strength * (throughCurve(b, palette.photo[2], palette.anime[2]) - b);
    }
    const [r, g, bl] = labToRgb(L, a * saturation, b * saturation);
    rgb[i] = r;
    rgb[i + 1] = g;
    rgb[i + 2] = bl;
  }
}
