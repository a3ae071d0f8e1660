/**
 * The cases the eval numbers must tell apart (issue 16): a photo, a blur of it, a softening filter
 * (median) of it, drawn cel lines on it, and real anime art. Real files are used where the machine
 * has them (the Debian wallpapers and the Ren'Py games that scripts/make-default-data.sh installs);
 * otherwise synthetic stand-ins are generated, so CI without those packages tests the same claims.
 */
import { access } from 'node:fs/promises';
import sharp from 'sharp';
import type { Frame } from '../../src/frame.js';
import { luma, sobelMagnitude } from '../../src/eval/style-metrics.js';

/** Longest side the cases are measured at: small keeps the tests fast. */
export const CASE_SIDE = 256;

const PHOTO_FILES = ['Bridge_by_Sander_Klootwijk.jpg', 'aitzgorri_by_Aitzol_Berasategi.jpg', 'picosdeeuropa_by_Aitzol_Berasategi.jpg', 'Wine_by_Jakkub_Mede.jpg'].map((n) => `/usr/share/backgrounds/${n}`);
// Backgrounds and cel illustrations only; the demo's "bg washington/whitehouse" are photographs.
const ANIME_FILES = [
  ...['bg uni.jpg', 'bg club.jpg', 'bg meadow.jpg', 'bg lecturehall.jpg'].map((n) => `/usr/share/games/renpy/the_question/game/images/${n}`),
  ...['concert1.png', 'concert2.png', 'concert3.png', 'bg cave.jpg'].map((n) => `/usr/share/games/renpy/demo/game/images/${n}`),
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Random shapes on a background: the scene both synthetic kinds share. */
function shapes(seed: number, width: number, height: number): { colour: (x: number, y: number) => [number, number, number]; inside: (x: number, y: number) => number } {
  const r = rng(seed);
  const list = Array.from({ length: 7 }, () => ({
    cx: r() * width, cy: r() * height, rx: 15 + r() * width * 0.25, ry: 15 + r() * height * 0.25, box: r() < 0.5,
    c: [40 + r() * 200, 40 + r() * 200, 40 + r() * 200] as [number, number, number],
  }));
  const bg: [number, number, number] = [110 + r() * 100, 150 + r() * 80, 180 + r() * 60];
  const inside = (x: number, y: number): number => {
    for (let k = list.length - 1; k >= 0; k--) {
      const s = list[k]!;
      const dx = (x - s.cx) / s.rx, dy = (y - s.cy) / s.ry;
      if (s.box ? Math.abs(dx) <= 1 && Math.abs(dy) <= 1 : dx * dx + dy * dy <= 1) return k;
    }
    return -1;
  };
  return { colour: (x, y) => { const k = inside(x, y); return k < 0 ? bg : list[k]!.c; }, inside };
}

/** A synthetic "photo": shapes with lighting, fine texture (noise and ripples) and soft borders. */
export function syntheticPhoto(seed: number, width = CASE_SIDE, height = Math.round(CASE_SIDE * 0.75)): Frame {
  const { colour } = shapes(seed, width, height);
  const r = rng(seed + 99);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = colour(x, y);
      const light = 0.8 + 0.3 * (y / height);
      const ripple = 10 * Math.sin(x * 0.9 + y * 0.4) * Math.sin(y * 0.7);
      for (let ch = 0; ch < 3; ch++) data[(y * width + x) * 3 + ch] = Math.max(0, Math.min(255, c[ch]! * light + ripple + (r() - 0.5) * 36));
    }
  }
  return { data, width, height, pts: 0, index: seed };
}

/** A synthetic "cel": the same kind of scene in flat fills with dark 2-pixel outlines on the shape borders. */
export function syntheticCel(seed: number, width = CASE_SIDE, height = Math.round(CASE_SIDE * 0.75)): Frame {
  const { colour, inside } = shapes(seed, width, height);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = inside(x, y);
      const border = inside(x + 1, y) !== k || inside(x, y + 1) !== k || inside(x - 1, y) !== k || inside(x, y - 1) !== k;
      const c = colour(x, y);
      for (let ch = 0; ch < 3; ch++) data[(y * width + x) * 3 + ch] = border ? Math.round(c[ch]! * 0.25) : c[ch]!;
    }
  }
  return { data, width, height, pts: 0, index: seed };
}

/** JAPANANIME_TEST_SYNTHETIC=1 takes the synthetic path even where the files exist (what CI sees). */
const forceSynthetic = process.env.JAPANANIME_TEST_SYNTHETIC === '1';

async function exists(file: string): Promise<boolean> {
  return !forceSynthetic && (await access(file).then(() => true, () => false));
}

async function readCase(file: string, index: number): Promise<Frame> {
  const { data, info } = await sharp(file).rotate().resize({ width: CASE_SIDE, height: CASE_SIDE, fit: 'inside' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, pts: 0, index };
}

/** Real photos when the wallpapers are installed (at least 3), else synthetic ones. */
export async function photoCases(): Promise<{ source: 'files' | 'synthetic'; frames: Frame[] }> {
  const files = (await Promise.all(PHOTO_FILES.map(async (f) => ((await exists(f)) ? f : undefined)))).filter((f): f is string => f !== undefined);
  if (files.length >= 3) return { source: 'files', frames: await Promise.all(files.map(readCase)) };
  return { source: 'synthetic', frames: [1, 2, 3, 4].map((s) => syntheticPhoto(s)) };
}

/** Real anime art when the Ren'Py games are installed (at least 6), else synthetic cels. */
export async function animeCases(): Promise<{ source: 'files' | 'synthetic'; frames: Frame[] }> {
  const files = (await Promise.all(ANIME_FILES.map(async (f) => ((await exists(f)) ? f : undefined)))).filter((f): f is string => f !== undefined);
  if (files.length >= 6) return { source: 'files', frames: await Promise.all(files.map(readCase)) };
  return { source: 'synthetic', frames: [11, 12, 13, 14, 15, 16, 17, 18].map((s) => syntheticCel(s)) };
}

const raw = (f: Frame): sharp.Sharp => sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } });

async function viaSharp(f: Frame, op: (s: sharp.Sharp) => sharp.Sharp): Promise<Frame> {
  const data = await op(raw(f)).raw().toBuffer();
  return { ...f, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Gaussian blur, σ 2 (what eval's blur reference does). */
export const blur = (f: Frame): Promise<Frame> => viaSharp(f, (s) => s.blur(2));
/** A softening filter: median 5×5 keeps step edges crisp and removes fine texture. */
export const soften = (f: Frame): Promise<Frame> => viaSharp(f, (s) => s.median(5));

/**
 * Drawn cel lines, the classical anime target in miniature: the softened picture with its strong
 * luma edges drawn as dark lines (0.3× the colour, as the targets draw them). The lines come
 * from the Sobel of the softened grey image, not from the border detector under test.
 */
export async function drawLines(f: Frame): Promise<Frame> {
  const soft = await soften(f);
  const g = sobelMagnitude(luma(soft), f.width, f.height);
  const data = Uint8Array.from(soft.data);
  for (let i = 0; i < g.length; i++) if (g[i]! > 160) for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.round(data[i * 3 + c]! * 0.3);
  return { ...f, data };
}

/** The four photo-side transforms the eval numbers are tested on, by name. */
export const TRANSFORMS = {
  photo: async (f: Frame): Promise<Frame> => f,
  blur,
  soften,
  lines: drawLines,
} as const;
