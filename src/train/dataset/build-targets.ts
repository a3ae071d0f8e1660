/**
 * `japananime dataset targets <photos-dataset>`: the anime target (anime-target.ts) of every photo
 * crop, written once beside the crops (photo_targets/{train,val}/<id>.png). The target costs ~1 s a
 * crop, far too much for every training step, and the crops never change, so the trainer reads them
 * as it reads the crops (the same random window and flip of both).
 *
 * Re-running does only what is missing; other options rebuild all (targets.json records them). Each
 * file appears under its final name only when complete, targets.json last.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { JapananimeError, throwIfAborted } from '../../errors.js';
import { animeTargetRgb24, type AnimeTargetOptions } from '../anime-target.js';
import { writeFileAtomic } from './atomic-write.js';
import { CROP_EXTENSION, DATASET_SPLITS, PHOTO_TARGETS_DIR, PHOTOS_DIR, splitDir, TARGETS_FILE } from './layout.js';

/** Version of the target recipe: bumped when anime-target.ts changes what it draws. */
export const TARGET_RECIPE_VERSION = 1;

export interface PhotoTargetsOptions {
  /** A photo dataset folder (photos/{train,val}). */
  root: string;
  /** The recipe's knobs. Default: anime-target.ts's defaults. */
  target?: AnimeTargetOptions;
  signal?: AbortSignal;
  /** After each crop. */
  onProgress?: (done: number, total: number) => void;
}

export interface PhotoTargetsResult {
  written: number;
  kept: number;
  dir: string;
}

export async function buildPhotoTargets(options: PhotoTargetsOptions): Promise<PhotoTargetsResult> {
  const { root } = options;
  const record = JSON.stringify({ recipe: TARGET_RECIPE_VERSION, options: options.target ?? {} });
  const dir = path.join(root, PHOTO_TARGETS_DIR);
  const jobs: { src: string; dst: string }[] = [];
  for (const split of DATASET_SPLITS) {
    const from = splitDir(root, PHOTOS_DIR, split);
    if (!existsSync(from)) continue;
    for (const name of (await readdir(from)).filter((n) => n.endsWith(CROP_EXTENSION)).sort()) jobs.push({ src: path.join(from, name), dst: path.join(splitDir(root, PHOTO_TARGETS_DIR, split), name) });
  }
  if (jobs.length === 0) throw new JapananimeError('E_DATASET_INVALID', `no photo crops in ${path.join(root, PHOTOS_DIR)} (build them with 'japananime dataset photos')`);
  const recordFile = path.join(dir, TARGETS_FILE);
  const previous = existsSync(recordFile) ? await readFile(recordFile, 'utf8') : undefined;
  if (previous !== undefined && previous !== record) await rm(dir, { recursive: true, force: true });
  else if (previous !== undefined) await rm(recordFile); // complete again only once every target is there
  let written = 0;
  let kept = 0;
  for (const [i, job] of jobs.entries()) {
    throwIfAborted(options.signal);
    if (existsSync(job.dst)) {
      kept += 1;
    } else {
      const { data, info } = await sharp(job.src).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      const out = animeTargetRgb24(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, options.target);
      await mkdir(path.dirname(job.dst), { recursive: true });
      await writeFileAtomic(job.dst, await sharp(out, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toBuffer());
      written += 1;
    }
    options.onProgress?.(i + 1, jobs.length);
  }
  await writeFileAtomic(recordFile, record);
  return { written, kept, dir };
}
