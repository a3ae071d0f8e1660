/**
 * The real frames the activation ranges are measured on: frames spread evenly over videos, and
 * photos from folders (searched a few levels deep, so a dataset folder works as it is). Every source
 * is checked before any frame is read, so a folder without images is one clear error and no time is
 * spent calibrating.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, throwIfAborted } from '../../errors.js';
import type { Frame } from '../../frame.js';
import { decodeFrames } from '../../media/decode-frames.js';
import { readImageFitted } from '../../media/image-reader.js';
import { probeMedia } from '../../media/probe.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);
/** How deep folders are searched for images (dataset/photos/train/x.png is three levels). */
const MAX_DEPTH = 3;

export interface CalibrationFramesOptions {
  /** Videos, image files or folders of images. */
  sources: string[];
  /** Frames in all, shared evenly among the sources. Default: 64. */
  frames?: number;
  /** Longest side frames are scaled down to (the live and video sizes the model runs at). Default: 640. */
  maxSide?: number;
  /** Stops reading. Default: none. */
  signal?: AbortSignal;
}

type Source = { kind: 'video'; file: string } | { kind: 'images'; files: string[]; label: string };

async function imagesUnder(dir: string, depth: number): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isFile() && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) out.push(p);
    else if (e.isDirectory() && depth > 0 && !e.name.startsWith('.')) out.push(...(await imagesUnder(p, depth - 1)));
  }
  return out;
}

async function classify(source: string): Promise<Source> {
  const st = await stat(source).catch(() => undefined);
  if (!st) throw new InputError('E_INPUT_MISSING', `calibration source ${source}: no such file or folder`);
  if (st.isDirectory()) {
    const files = await imagesUnder(source, MAX_DEPTH);
    if (files.length === 0) throw new InputError('E_INPUT_INVALID', `calibration folder ${source} holds no .jpg, .png or .webp images`);
    return { kind: 'images', files, label: source };
  }
  if (IMAGE_EXTENSIONS.has(path.extname(source).toLowerCase())) return { kind: 'images', files: [source], label: source };
  return { kind: 'video', file: source };
}

/** `count` indices spread evenly over [0, n). */
export function evenlySpread(n: number, count: number): number[] {
  if (n <= 0 || count <= 0) return [];
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.floor(((i + 0.5) * n) / count));
}

async function readVideoFrames(file: string, count: number, maxSide: number, signal: AbortSignal | undefined): Promise<Frame[]> {
  const info = await probeMedia(file, { signal });
  const scale = Math.min(1, maxSide / Math.max(info.width, info.height));
  const width = Math.max(2, Math.round((info.width * scale) / 2) * 2);
  const height = Math.max(2, Math.round((info.height * scale) / 2) * 2);
  const wanted = new Set(evenlySpread(info.frameCount, count));
  const frames: Frame[] = [];
  const decoder = decodeFrames(file, { width, height, frameRate: info.frameRate, scale: width !== info.width || height !== info.height, signal });
  for await (const frame of decoder) {
    if (wanted.has(frame.index)) frames.push(frame);
    if (frames.length >= count) break;
  }
  if (frames.length === 0) throw new InputError('E_INPUT_INVALID', `calibration video ${file}: no frames decoded`);
  return frames;
}

/** What was read, for meta.json. */
export interface CalibrationSet {
  frames: Frame[];
  /** One line per source: path and how many frames it gave. */
  sources: { source: string; frames: number }[];
}

/** Reads the calibration frames. Throws InputError (before reading any pixels) for a missing or empty source. */
export async function readCalibrationFrames(options: CalibrationFramesOptions): Promise<CalibrationSet> {
  const total = options.frames ?? 64;
  const maxSide = options.maxSide ?? 640;
  if (options.sources.length === 0) throw new InputError('E_INPUT_MISSING', 'no calibration source given');
  const sources = await Promise.all(options.sources.map(classify));
  const frames: Frame[] = [];
  const record: CalibrationSet['sources'] = [];
  for (const [i, s] of sources.entries()) {
    throwIfAborted(options.signal);
    // Share the frames out evenly; the first sources take the remainder.
    const share = Math.floor(total / sources.length) + (i < total % sources.length ? 1 : 0);
    if (share === 0) continue;
    let got: Frame[];
    if (s.kind === 'video') got = await readVideoFrames(s.file, share, maxSide, options.signal);
    else got = await Promise.all(evenlySpread(s.files.length, share).map((k) => readImageFitted(s.files[k]!, maxSide)));
    frames.push(...got);
    record.push({ source: s.kind === 'video' ? s.file : s.label, frames: got.length });
  }
  return { frames, sources: record };
}
