/**
 * Numbers that tell an anime-style image from a photograph, computed on rgb24 frames.
 *
 * Anime is flat colour with crisp lines. So a stylizer should (a) lower the small, textural
 * gradients inside regions (texture ratio < 1) while (b) keeping the strong gradients of edges
 * (edge ratio ≈ 1 or above). A blur lowers both, which is how these numbers tell style from blur.
 * Content is kept when the low-resolution edge maps of input and output still correlate, and
 * video is stable when consecutive output frames change no more than the input frames did.
 */
import type { Frame } from '../frame.js';

/** Luma (BT.601) of an rgb24 frame as float 0..255. */
export function luma(frame: Pick<Frame, 'data' | 'width' | 'height'>): Float32Array {
  const { data, width, height } = frame;
  const out = new Float32Array(width * height);
  for (let i = 0, p = 0; i < out.length; i++, p += 3) {
    out[i] = 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
  }
  return out;
}

/** Sobel gradient magnitude of a single-channel image; the 1-pixel border is 0. */
export function sobelMagnitude(img: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const a = img[i - width - 1]!, b = img[i - width]!, c = img[i - width + 1]!;
      const d = img[i - 1]!, f = img[i + 1]!;
      const g = img[i + width - 1]!, h = img[i + width]!, k = img[i + width + 1]!;
      const gx = c + 2 * f + k - a - 2 * d - g;
      const gy = g + 2 * h + k - a - 2 * b - c;
      out[i] = Math.hypot(gx, gy);
    }
  }
  return out;
}

/** Box-downsamples a single-channel image by an integer factor (partial blocks at the edge dropped). */
export function downsample(img: Float32Array, width: number, height: number, factor: number): { img: Float32Array; width: number; height: number } {
  const w = Math.max(1, Math.floor(width / factor));
  const h = Math.max(1, Math.floor(height / factor));
  const out = new Float32Array(w * h);
  const f = Math.max(1, Math.min(factor, Math.floor(width / w), Math.floor(height / h)));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) s += img[(y * f + dy) * width + x * f + dx]!;
      out[y * w + x] = s / (f * f);
    }
  }
  return { img: out, width: w, height: h };
}

/** The q-quantile (0..1) of the values, by sorting a copy. */
export function quantile(values: Float32Array, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float32Array.from(values).sort();
  const pos = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[pos]!;
}

/** Pearson correlation of two equally long arrays; NaN when either is constant. */
export function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let sa = 0, sb = 0;
  for (let i = 0; i < n; i++) { sa += a[i]!; sb += b[i]!; }
  const ma = sa / n, mb = sb / n;
  let cov = 0, va = 0, vb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    cov += da * db; va += da * da; vb += db * db;
  }
  return cov / Math.sqrt(va * vb);
}

/** Number of distinct colours after quantising each channel to `bits` bits. */
export function distinctColours(frame: Pick<Frame, 'data'>, bits = 5): number {
  const shift = 8 - bits;
  const seen = new Uint8Array(1 << (3 * bits));
  let count = 0;
  const { data } = frame;
  for (let p = 0; p < data.length; p += 3) {
    const key = ((data[p]! >> shift) << (2 * bits)) | ((data[p + 1]! >> shift) << bits) | (data[p + 2]! >> shift);
    if (seen[key] === 0) { seen[key] = 1; count++; }
  }
  return count;
}

/**
 * Where the input's strong edges are: pixels whose gradient is in the top `fraction` of the image.
 * Fixed on the input, so a blur cannot "grow" edges by smearing them over more pixels.
 */
export function strongEdgeMask(mag: Float32Array, fraction = 0.05): Uint8Array {
  const threshold = Math.max(quantile(mag, 1 - fraction), 1e-6);
  const mask = new Uint8Array(mag.length);
  for (let i = 0; i < mag.length; i++) mask[i] = mag[i]! >= threshold ? 1 : 0;
  return mask;
}

/** Grows a mask by `r` pixels (square neighbourhood). */
export function dilate(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      for (let yy = Math.max(0, y - r); yy <= Math.min(height - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(width - 1, x + r); xx++) out[yy * width + xx] = 1;
      }
    }
  }
  return out;
}

/**
 * Texture and edge strength of the output relative to the input, measured on the input's geometry:
 * texture = median gradient away from the input's strong edges (inside regions); edge = the output's
 * gradient peak (3×3 max, forgiving a 1-pixel shift) on the input's strong-edge pixels.
 */
export function gradientRatios(input: Pick<Frame, 'data' | 'width' | 'height'>, output: Pick<Frame, 'data' | 'width' | 'height'>): { textureRatio: number; edgeRatio: number } {
  const { width, height } = input;
  const a = sobelMagnitude(luma(input), width, height);
  const b = sobelMagnitude(luma(output), width, height);
  const edges = strongEdgeMask(a);
  const nearEdges = dilate(edges, width, height, 3);
  const insideA: number[] = [];
  const insideB: number[] = [];
  let edgeA = 0;
  let edgeB = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      if (!nearEdges[i]) {
        insideA.push(a[i]!);
        insideB.push(b[i]!);
      }
      if (edges[i]) {
        // The same 3x3 peak on both sides, so an unchanged image scores exactly 1.
        let peakA = 0;
        let peakB = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            peakA = Math.max(peakA, a[i + dy * width + dx]!);
            peakB = Math.max(peakB, b[i + dy * width + dx]!);
          }
        }
        edgeA += peakA;
        edgeB += peakB;
      }
    }
  }
  const textureA = insideA.length ? quantile(Float32Array.from(insideA), 0.5) : Number.NaN;
  const textureB = insideB.length ? quantile(Float32Array.from(insideB), 0.5) : Number.NaN;
  return { textureRatio: textureB / Math.max(textureA, 1e-6), edgeRatio: edgeB / Math.max(edgeA, 1e-6) };
}

/**
 * Correlation of the edge maps of input and output at low resolution (short side ≈ 64 px), where
 * a style change of texture matters little and the scene's structure dominates.
 */
export function edgeCorrelation(input: Frame, output: Frame): number {
  // At least 2: even a small image is compared at a lower resolution than its pixel noise.
  const factor = Math.max(2, Math.floor(Math.min(input.width, input.height) / 64));
  const a = downsample(luma(input), input.width, input.height, factor);
  const b = downsample(luma(output), output.width, output.height, factor);
  return correlation(sobelMagnitude(a.img, a.width, a.height), sobelMagnitude(b.img, b.width, b.height));
}

/** Mean absolute difference of two equally sized rgb24 frames. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

/** Metrics of one input/output pair. */
export interface PairMetrics {
  /** output texture / input texture away from the input's edges: below 1 means flatter regions. */
  textureRatio: number;
  /** output gradient peak / input gradient on the input's strong edges: near or above 1 means edges kept crisp; a blur drops it. */
  edgeRatio: number;
  /** output distinct colours / input distinct colours: below 1 means fewer colours. */
  colourRatio: number;
  /** Correlation of low-resolution edge maps, 1 = same structure. */
  edgeCorrelation: number;
}

export function pairMetrics(input: Frame, output: Frame): PairMetrics {
  if (input.width !== output.width || input.height !== output.height) {
    throw new RangeError(`output ${output.width}x${output.height} differs from input ${input.width}x${input.height}`);
  }
  return {
    ...gradientRatios(input, output),
    colourRatio: distinctColours(output) / Math.max(distinctColours(input), 1),
    edgeCorrelation: edgeCorrelation(input, output),
  };
}

/**
 * Temporal flicker of a video: mean absolute change between consecutive output frames divided by
 * the same for the input frames. 1 = the output moves exactly as much as the input; above 1 = flicker.
 */
export class FlickerMeter {
  private prevIn: Uint8Array | undefined;
  private prevOut: Uint8Array | undefined;
  private sumIn = 0;
  private sumOut = 0;
  private pairs = 0;

  add(input: Frame, output: Frame): void {
    if (this.prevIn && this.prevOut && this.prevIn.length === input.data.length) {
      this.sumIn += meanAbsDiff(this.prevIn, input.data);
      this.sumOut += meanAbsDiff(this.prevOut, output.data);
      this.pairs++;
    }
    this.prevIn = input.data;
    this.prevOut = output.data;
  }

  /** The ratio, or NaN with fewer than two frames or a still input. */
  get ratio(): number {
    return this.pairs === 0 || this.sumIn === 0 ? Number.NaN : this.sumOut / this.sumIn;
  }
}
