/**
 * manifest.json: what a dataset folder holds and how it was made. The trainer reads `kind`,
 * `cropSize` and `counts`; a re-run compares `fingerprint` (the sources' content hashes + the
 * options + the builder version) to decide whether the folder is already up to date.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import { MANIFEST_VERSION, manifestPath, type DatasetKind, type DatasetSplit } from './layout.js';

/** Why a frame, image or crop was not used. */
export type DropReason =
  | 'black' // a black frame (fade, gap)
  | 'uniform' // near-uniform frame (flat colour, title card)
  | 'duplicate' // perceptual hash within the threshold of a kept frame
  | 'too-small' // smaller than the crop (after cutting bars) and upscaling is off
  | 'unreadable' // an image or video that cannot be decoded
  | 'uniform-crop'; // one crop that is a single flat colour (the frame itself was kept)

export const DROP_REASONS: readonly DropReason[] = ['black', 'uniform', 'duplicate', 'too-small', 'unreadable', 'uniform-crop'];

export interface ManifestSource {
  /** The path as given (absolute). */
  path: string;
  /** 'video' or 'images' (a folder or a single image). */
  type: 'video' | 'images';
  /** sha256 of the content (for a folder: of its image files' names and hashes). */
  sha256: string;
  /** Candidate frames/images read from it. */
  frames: number;
}

export interface ManifestFrame {
  /** Index into `sources`. */
  source: number;
  /** Frame number within the source (selected key frames for video, sorted image files for folders). */
  frame: number;
  /** What it is: 'keyframe 12', 'sample 3', or the image file's path relative to its folder. */
  label: string;
  split: DatasetSplit;
  /** dHash of the picture (bars cut off), 16 hex digits. */
  dhash: string;
  /** Whether letterbox/pillarbox bars were cut off. */
  letterboxed: boolean;
  /** Crop ids written for this frame. */
  crops: string[];
}

export interface ManifestDrop {
  source: number;
  frame: number;
  label: string;
  reason: DropReason;
  /** A few words of detail, e.g. 'mean luma 3.1' or 'near 00ff… (3 bits)'. */
  detail: string;
}

export interface DatasetManifest {
  version: number;
  kind: DatasetKind;
  /** Side of every (square) crop in pixels. */
  cropSize: number;
  /** sha256 over sources, options and builder version; equal fingerprints mean equal outputs. */
  fingerprint: string;
  createdAt: string;
  /** The options the dataset was built with (paths and callbacks left out). */
  options: Record<string, unknown>;
  sources: ManifestSource[];
  counts: {
    /** Candidate frames/images looked at. */
    candidates: number;
    /** Frames/images that gave crops. */
    keptFrames: number;
    /** Crops per split (anime: each also has an edge-smoothed copy). */
    train: number;
    val: number;
    /** Frames whose bars were cut off. */
    letterboxed: number;
    /** Drops per reason (frames/images, except uniform-crop which counts crops). */
    dropped: Record<DropReason, number>;
  };
  frames: ManifestFrame[];
  dropped: ManifestDrop[];
}

export function emptyDropCounts(): Record<DropReason, number> {
  return { black: 0, uniform: 0, duplicate: 0, 'too-small': 0, unreadable: 0, 'uniform-crop': 0 };
}

/** The manifest in `root`, or undefined when there is none or it is unreadable/of another version. */
export async function readManifest(root: string): Promise<DatasetManifest | undefined> {
  try {
    const m = JSON.parse(await readFile(manifestPath(root), 'utf8')) as DatasetManifest;
    return m.version === MANIFEST_VERSION ? m : undefined;
  } catch {
    return undefined;
  }
}

export async function writeManifest(root: string, manifest: DatasetManifest): Promise<void> {
  await writeFileAtomic(manifestPath(root), JSON.stringify(manifest, null, 2) + '\n');
}

/** sha256 of a file's content, streamed. */
export function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** Stable JSON (sorted keys) so the fingerprint does not depend on property order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Bump when the builder's output for the same inputs and options changes. */
export const BUILDER_VERSION = 1;

export function datasetFingerprint(kind: DatasetKind, sourceHashes: readonly string[], options: Record<string, unknown>): string {
  return createHash('sha256')
    .update(stableJson({ kind, sourceHashes, options, builder: BUILDER_VERSION, manifest: MANIFEST_VERSION }))
    .digest('hex');
}
