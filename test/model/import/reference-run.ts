/**
 * The reference the import's parity tests compare with: the ORIGINAL foreign model run by ONNX
 * Runtime on input prepared in plain TypeScript, the way the model's own scripts prepare it —
 * channel order, value range, edge padding to the multiple (or a bilinear resize to a fixed size),
 * layout — and its output turned back into uint8 rgb the same way.
 */
import { ort } from '../../../src/engine/onnx-runtime.js';

export interface ReferenceConventions {
  layout: 'NCHW' | 'NHWC';
  range: [number, number];
  channels: 'rgb' | 'bgr';
  multiple: number;
  fixedSize?: [number, number];
  /** Run each image on its own (a model with a fixed batch of 1). */
  oneByOne?: boolean;
}

/** Bilinear resize of an HWC float image with half-pixel centres (OpenCV's and ONNX's 'half_pixel'). */
export function resizeBilinear(src: Float32Array, h: number, w: number, c: number, oh: number, ow: number): Float32Array {
  const out = new Float32Array(oh * ow * c);
  const coord = (o: number, scale: number, n: number): [number, number, number] => {
    const x = Math.min(Math.max((o + 0.5) / scale - 0.5, 0), n - 1);
    const x0 = Math.floor(x);
    const x1 = Math.min(x0 + 1, n - 1);
    return [x0, x1, x - x0];
  };
  for (let y = 0; y < oh; y++) {
    const [y0, y1, fy] = coord(y, oh / h, h);
    for (let x = 0; x < ow; x++) {
      const [x0, x1, fx] = coord(x, ow / w, w);
      for (let k = 0; k < c; k++) {
        const at = (yy: number, xx: number): number => src[(yy * w + xx) * c + k]!;
        const top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
        const bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
        out[(y * ow + x) * c + k] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/** Runs `model` on uint8 rgb images [n,h,w,3] as its own scripts would; returns uint8 rgb [n,h,w,3]. */
export async function referenceRun(model: Uint8Array, images: Uint8Array, n: number, h: number, w: number, c: ReferenceConventions): Promise<Uint8Array> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const [lo, hi] = c.range;
  const m = c.multiple;
  const [rh, rw] = c.fixedSize ?? [Math.ceil(h / m) * m, Math.ceil(w / m) * m];
  const out = new Uint8Array(n * h * w * 3);
  try {
    const prepared: Float32Array[] = [];
    for (let b = 0; b < n; b++) {
      const img = new Float32Array(h * w * 3);
      for (let i = 0; i < h * w; i++) {
        for (let k = 0; k < 3; k++) {
          const v = images[(b * h * w + i) * 3 + (c.channels === 'bgr' ? 2 - k : k)]!;
          img[i * 3 + k] = lo + (v / 255) * (hi - lo);
        }
      }
      let run: Float32Array;
      if (c.fixedSize) run = resizeBilinear(img, h, w, 3, rh, rw);
      else {
        // Edge padding at the bottom and right, as the package does.
        run = new Float32Array(rh * rw * 3);
        for (let y = 0; y < rh; y++) for (let x = 0; x < rw; x++) for (let k = 0; k < 3; k++) run[(y * rw + x) * 3 + k] = img[(Math.min(y, h - 1) * w + Math.min(x, w - 1)) * 3 + k]!;
      }
      prepared.push(c.layout === 'NHWC' ? run : toNchw(run, rh, rw));
    }
    const inputName = session.inputNames[0]!;
    const outputName = session.outputNames[0]!;
    const groups = c.oneByOne ? prepared.map((p) => [p]) : [prepared];
    let b = 0;
    for (const group of groups) {
      const data = new Float32Array(group.length * rh * rw * 3);
      group.forEach((p, i) => data.set(p, i * p.length));
      const dims = c.layout === 'NHWC' ? [group.length, rh, rw, 3] : [group.length, 3, rh, rw];
      const result = (await session.run({ [inputName]: new ort.Tensor('float32', data, dims) }))[outputName]!;
      const y = result.data as Float32Array;
      for (let i = 0; i < group.length; i++, b++) {
        const one = y.subarray(i * rh * rw * 3, (i + 1) * rh * rw * 3);
        const hwc = c.layout === 'NHWC' ? one : toNhwc(one, rh, rw);
        const back = c.fixedSize ? resizeBilinear(hwc, rh, rw, 3, h, w) : hwc;
        const bw = c.fixedSize ? w : rw;
        for (let yy = 0; yy < h; yy++) {
          for (let x = 0; x < w; x++) {
            for (let k = 0; k < 3; k++) {
              const v = back[(yy * bw + x) * 3 + (c.channels === 'bgr' ? 2 - k : k)]!;
              out[((b * h + yy) * w + x) * 3 + k] = Math.round(Math.min(255, Math.max(0, ((v - lo) / (hi - lo)) * 255)));
            }
          }
        }
      }
    }
  } finally {
    await session.release();
  }
  return out;
}

function toNchw(hwc: Float32Array, h: number, w: number): Float32Array {
  const out = new Float32Array(hwc.length);
  for (let i = 0; i < h * w; i++) for (let k = 0; k < 3; k++) out[k * h * w + i] = hwc[i * 3 + k]!;
  return out;
}

function toNhwc(chw: Float32Array, h: number, w: number): Float32Array {
  const out = new Float32Array(chw.length);
  for (let i = 0; i < h * w; i++) for (let k = 0; k < 3; k++) out[i * 3 + k] = chw[k * h * w + i]!;
  return out;
}

/** Fraction of values within `tolerance` grey levels, and the largest difference. */
export function agreement(a: Uint8Array, b: Uint8Array, tolerance = 1): { within: number; maxDiff: number } {
  let ok = 0;
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d <= tolerance) ok++;
    if (d > maxDiff) maxDiff = d;
  }
  return { within: ok / a.length, maxDiff };
}

/** A smooth but varied test photo: gradients, a disc and ±noise/2 of noise, so every convention shows up in the output. */
export function testImages(n: number, h: number, w: number, seed = 3, noise = 40): Uint8Array {
  const data = new Uint8Array(n * h * w * 3);
  let s = seed;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const disc = (x - w / 2) ** 2 + (y - h / 2) ** 2 < (Math.min(h, w) / 3) ** 2;
        const base = [(x / w) * 255, (y / h) * 255, disc ? 220 : 40 + b * 60];
        for (let k = 0; k < 3; k++) data[((b * h + y) * w + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(base[k]! + (rnd() - 0.5) * noise)));
      }
    }
  }
  return data;
}
