/**
 * The on-disk layout of a dataset folder, shared by the dataset builder (writes it) and the trainer
 * (reads it). Keep it exactly:
 *
 * ```
 * <out>/manifest.json                       what was built, from what, with which options, what was dropped and why
 * <out>/anime/{train,val}/<id>.png          film crops            (kind 'anime')
 * <out>/anime_smooth/{train,val}/<id>.png   their edge-smoothed copies, the same ids (kind 'anime')
 * <out>/photos/{train,val}/<id>.png         photo crops           (kind 'photos')
 * <out>/photo_targets/{train,val}/<id>.png  their anime targets, the same ids (`dataset targets`, optional)
 * <out>/photo_targets/targets.json          the options the targets were made with
 * ```
 *
 * Every crop is a square RGB PNG of `manifest.cropSize` pixels. Ids are `s<source>-f<frame>-c<crop>`
 * (zero-padded, so a plain sort follows the source order). Files appear under their final name only
 * when complete (temp name + rename); the manifest is written last, so a folder with a manifest is a
 * finished dataset.
 */
import path from 'node:path';

/** The two kinds of dataset. */
export type DatasetKind = 'anime' | 'photos';

/** The two splits. */
export type DatasetSplit = 'train' | 'val';

export const DATASET_SPLITS: readonly DatasetSplit[] = ['train', 'val'];

/** File name of the manifest at the dataset root. */
export const MANIFEST_FILE = 'manifest.json';

/** Folder of the anime crops. */
export const ANIME_DIR = 'anime';

/** Folder of the edge-smoothed anime crops (same ids as ANIME_DIR). */
export const ANIME_SMOOTH_DIR = 'anime_smooth';

/** Folder of the photo crops. */
export const PHOTOS_DIR = 'photos';

/** Folder of the photo crops' precomputed anime targets (same ids as PHOTOS_DIR; see anime-target.ts). */
export const PHOTO_TARGETS_DIR = 'photo_targets';

/** Written last into PHOTO_TARGETS_DIR: the recipe and options of the targets; present = complete. */
export const TARGETS_FILE = 'targets.json';

/** Extension of every crop file. */
export const CROP_EXTENSION = '.png';

/** Version of the manifest format; bumped when the layout or the meaning of a field changes. */
export const MANIFEST_VERSION = 1;

/** The crop folders a dataset of `kind` has (anime: crops and smoothed copies). */
export function cropDirs(kind: DatasetKind): readonly string[] {
  return kind === 'anime' ? [ANIME_DIR, ANIME_SMOOTH_DIR] : [PHOTOS_DIR];
}

export function manifestPath(root: string): string {
  return path.join(root, MANIFEST_FILE);
}

/** `<root>/<dir>/<split>` — dir is ANIME_DIR, ANIME_SMOOTH_DIR or PHOTOS_DIR. */
export function splitDir(root: string, dir: string, split: DatasetSplit): string {
  return path.join(root, dir, split);
}

/** `<root>/<dir>/<split>/<id>.png`. */
export function cropPath(root: string, dir: string, split: DatasetSplit, id: string): string {
  return path.join(root, dir, split, id + CROP_EXTENSION);
}

/** The id of crop `crop` of kept frame `frame` of source `source` (all 0-based). */
export function cropId(source: number, frame: number, crop: number): string {
  return `s${String(source).padStart(2, '0')}-f${String(frame).padStart(6, '0')}-c${String(crop).padStart(2, '0')}`;
}
