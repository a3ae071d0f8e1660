/**
 * The two dataset builders behind `japananime dataset film` and `japananime dataset photos`.
 * Both decode candidate frames (key frames of a film; samples of travel videos; image files), run
 * them through FrameCropper and write the layout described in layout.ts, manifest last.
 *
 * Re-running is cheap and safe: the manifest's fingerprint (content hashes of the sources + the
 * options) equal and every crop present → nothing to do. An interrupted run with the same
 * fingerprint resumes (crops are seeded, so existing files are exactly what would be written and are
 * kept); a different fingerprint clears the old crops first so no stale file survives.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, JapananimeError, UsageError, throwIfAborted } from '../../errors.js';
import { decodeSelectedFrames } from '../../media/keyframe-frames.js';
import { fitShortSide, type FrameSelection } from '../../media/keyframe-args.js';
import { probeMedia } from '../../media/probe.js';
import { writeFileAtomic } from './atomic-write.js';
import { datasetFingerprint, hashFile, readManifest, writeManifest, DROP_REASONS, type DatasetManifest, type ManifestSource } from './dataset-manifest.js';
import { FrameCropper, type CropSettings } from './frame-cropper.js';
import { isImageFile, listImages, readImage } from './image-files.js';
import { ANIME_DIR, ANIME_SMOOTH_DIR, cropDirs, cropPath, MANIFEST_VERSION, manifestPath, PHOTOS_DIR, type DatasetKind } from './layout.js';

/** Options shared by both builders. */
export interface CommonDatasetOptions {
  /** Output dataset folder; created if missing. Required. */
  out: string;
  /** Side of the square crops in pixels. Default: 256. */
  cropSize?: number;
  /** Random crops cut from every kept frame or image. Default: 4. */
  cropsPerFrame?: number;
  /** Fraction of kept frames (with all their crops) that go to the validation split. Default: 0.1. */
  valFraction?: number;
  /** Seed of the crop positions and of the split; same seed, same dataset. Default: 1. */
  seed?: number;
  /**
   * Frames whose dHash is within this many bits (of 64) of a kept frame are duplicates; -1 turns it
   * off. Default: 8 for films (shots of one scene), 4 for photos (distinct landscapes with a similar
   * horizon often lie 5–8 bits apart).
   */
  dedupeThreshold?: number;
  /** Frames and images are scaled down so their shorter side is at most this (0 = never). Default: 720. */
  maxShortSide?: number;
  /** Upscale pictures smaller than the crop instead of skipping them. Default: false. */
  upscaleSmall?: boolean;
  /** Mean luma below which a frame is black. Default: 24. */
  blackMeanLuma?: number;
  /** Luma standard deviation below which a frame is near-uniform. Default: 8. */
  uniformStd?: number;
  /** Luma standard deviation below which one crop is a flat colour and skipped. Default: 3. */
  minCropStd?: number;
  /** Canny low/high thresholds for the edge-smoothed copies. Default: 40 and 100. */
  cannyLow?: number;
  cannyHigh?: number;
  /** Cancels the build; already written crops stay and a re-run resumes. Default: none. */
  signal?: AbortSignal;
  /** Called after every candidate frame. Default: none. */
  onProgress?: (progress: DatasetProgress) => void;
}

export interface DatasetProgress {
  /** Candidate frames/images processed. */
  done: number;
  /** Expected candidates, when known. */
  total: number | undefined;
  keptFrames: number;
  crops: number;
}

/** Options of buildFilmDataset (`japananime dataset film`). */
export interface FilmDatasetOptions extends CommonDatasetOptions {
  /** The anime film. Required. */
  video: string;
  /** ffmpeg scene-change score (0–1) that marks a new shot. Default: 0.3. */
  sceneThreshold?: number;
  /** Seconds between two scene-change key frames at least. Default: 0.5. */
  minSpacing?: number;
  /** Take a frame at least every this many seconds even without a cut, for pans and long shots (0 = off). Default: 4. */
  maxGap?: number;
}

/** Options of buildPhotoDataset (`japananime dataset photos`). */
export interface PhotoDatasetOptions extends CommonDatasetOptions {
  /** Travel videos, image folders (searched recursively) or single images. Required, at least one. */
  inputs: string[];
  /** Seconds between frames sampled from videos. Default: 2. */
  every?: number;
}

export interface DatasetResult {
  manifest: DatasetManifest;
  /** True when the folder was already up to date and nothing was done. */
  upToDate: boolean;
  /** Crops whose files were already there (a resumed run). */
  reusedCrops: number;
}

const STATE_FILE = '.build-state.json';

interface Resolved {
  settings: CropSettings;
  maxShortSide: number;
  /** What goes into the fingerprint and the manifest. */
  record: Record<string, unknown>;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new UsageError(message);
}

function resolveCommon(kind: DatasetKind, o: CommonDatasetOptions): Resolved {
  const defaultDedupe = kind === 'anime' ? 8 : 4;
  check(typeof o.out === 'string' && o.out.length > 0, 'an output folder is required (--out <dir>)');
  const cropSize = o.cropSize ?? 256;
  const cropsPerFrame = o.cropsPerFrame ?? 4;
  const valFraction = o.valFraction ?? 0.1;
  const seed = o.seed ?? 1;
  const dedupeThreshold = o.dedupeThreshold ?? defaultDedupe;
  const maxShortSide = o.maxShortSide ?? 720;
  const cannyLow = o.cannyLow ?? 40;
  const cannyHigh = o.cannyHigh ?? 100;
  check(Number.isInteger(cropSize) && cropSize >= 16 && cropSize <= 4096, `--crop must be an integer from 16 to 4096, got ${cropSize}`);
  check(Number.isInteger(cropsPerFrame) && cropsPerFrame >= 1 && cropsPerFrame <= 100, `--crops-per-frame must be an integer from 1 to 100, got ${cropsPerFrame}`);
  check(valFraction >= 0 && valFraction < 1, `--val-fraction must be in [0, 1), got ${valFraction}`);
  check(Number.isInteger(seed), `--seed must be an integer, got ${seed}`);
  check(Number.isInteger(dedupeThreshold) && dedupeThreshold >= -1 && dedupeThreshold <= 64, `--dedupe-bits must be an integer from -1 (off) to 64, got ${dedupeThreshold}`);
  check(Number.isInteger(maxShortSide) && maxShortSide >= 0, `--max-short-side must be a non-negative integer, got ${maxShortSide}`);
  check(maxShortSide === 0 || maxShortSide >= cropSize, `--max-short-side ${maxShortSide} is smaller than the ${cropSize}px crop`);
  check(cannyLow >= 0 && cannyHigh >= cannyLow, `Canny thresholds must satisfy 0 <= low <= high, got ${cannyLow}, ${cannyHigh}`);
  const settings: CropSettings = {
    kind,
    cropSize,
    cropsPerFrame,
    valFraction,
    seed,
    dedupeThreshold,
    upscaleSmall: o.upscaleSmall ?? false,
    blackMeanLuma: o.blackMeanLuma ?? 24,
    uniformStd: o.uniformStd ?? 8,
    minCropStd: o.minCropStd ?? 3,
    canny: { lowThreshold: cannyLow, highThreshold: cannyHigh },
  };
  const record: Record<string, unknown> = { ...settings, maxShortSide };
  delete record.kind;
  return { settings, maxShortSide, record };
}

async function requireInput(p: string): Promise<{ isDirectory: boolean }> {
  try {
    const st = await stat(p);
    return { isDirectory: st.isDirectory() };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError('E_INPUT_MISSING', `${p} does not exist`);
    throw new InputError('E_INPUT_INVALID', `${p} cannot be read: ${(err as Error).message}`, err);
  }
}

async function allCropsPresent(root: string, m: DatasetManifest): Promise<boolean> {
  const dirs = m.kind === 'anime' ? [ANIME_DIR, ANIME_SMOOTH_DIR] : [PHOTOS_DIR];
  for (const f of m.frames) for (const id of f.crops) for (const dir of dirs) if (!existsSync(cropPath(root, dir, f.split, id))) return false;
  return true;
}

/**
 * Gets `root` ready for a build with `fingerprint`: returns the finished manifest when it is already
 * up to date, else clears crops of another build and records the fingerprint being built.
 */
async function prepareOut(root: string, kind: DatasetKind, fingerprint: string): Promise<DatasetManifest | undefined> {
  if (existsSync(root) && !(await stat(root)).isDirectory()) throw new JapananimeError('E_OUTPUT_INVALID', `${root} exists and is not a folder`);
  const existing = await readManifest(root);
  if (existing && existing.kind !== kind) {
    throw new JapananimeError('E_OUTPUT_INVALID', `${root} already holds a${existing.kind === 'anime' ? 'n' : ''} ${existing.kind} dataset; choose another --out`);
  }
  if (existing?.fingerprint === fingerprint && (await allCropsPresent(root, existing))) return existing;
  let building: string | undefined;
  try {
    building = (JSON.parse(await readFile(path.join(root, STATE_FILE), 'utf8')) as { fingerprint?: string }).fingerprint;
  } catch {
    building = undefined;
  }
  await rm(manifestPath(root), { force: true });
  const stale = (existing !== undefined && existing.fingerprint !== fingerprint) || (building !== undefined && building !== fingerprint);
  if (stale) for (const dir of cropDirs(kind)) await rm(path.join(root, dir), { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  await writeFileAtomic(path.join(root, STATE_FILE), JSON.stringify({ fingerprint }) + '\n');
  return undefined;
}

async function finish(root: string, kind: DatasetKind, fingerprint: string, resolved: Resolved, sources: ManifestSource[], cropper: FrameCropper, what: string): Promise<DatasetResult> {
  if (cropper.frames.length === 0) {
    const reasons = DROP_REASONS.filter((r) => cropper.dropCounts[r] > 0).map((r) => `${cropper.dropCounts[r]} ${r}`);
    throw new JapananimeError('E_DATASET_INVALID', `${what}: no usable frames (${cropper.candidates} looked at${reasons.length ? `: ${reasons.join(', ')}` : ''})`);
  }
  const manifest: DatasetManifest = {
    version: MANIFEST_VERSION,
    kind,
    cropSize: resolved.settings.cropSize,
    fingerprint,
    createdAt: new Date().toISOString(),
    options: resolved.record,
    sources,
    counts: {
      candidates: cropper.candidates,
      keptFrames: cropper.frames.length,
      train: cropper.crops.train,
      val: cropper.crops.val,
      letterboxed: cropper.letterboxed,
      dropped: cropper.dropCounts,
    },
    frames: cropper.frames,
    dropped: cropper.drops,
  };
  await writeManifest(root, manifest);
  await rm(path.join(root, STATE_FILE), { force: true });
  return { manifest, upToDate: false, reusedCrops: cropper.reused };
}

/** Builds an anime dataset (crops + edge-smoothed copies) from the key frames of a film. */
export async function buildFilmDataset(options: FilmDatasetOptions): Promise<DatasetResult> {
  const resolved = resolveCommon('anime', options);
  const selection: FrameSelection = { sceneThreshold: options.sceneThreshold ?? 0.3, minSpacing: options.minSpacing ?? 0.5, maxGap: options.maxGap ?? 4 };
  check(selection.sceneThreshold! >= 0 && selection.sceneThreshold! < 1, `--scene-threshold must be in [0, 1), got ${selection.sceneThreshold}`);
  check(selection.minSpacing! >= 0, `--min-spacing must be >= 0 seconds, got ${selection.minSpacing}`);
  check(selection.maxGap! >= 0, `--max-gap must be >= 0 seconds, got ${selection.maxGap}`);
  check(selection.sceneThreshold! > 0 || selection.maxGap! > 0, '--scene-threshold 0 needs --max-gap > 0 to select any frame');
  const video = path.resolve(options.video);
  const { isDirectory } = await requireInput(video);
  if (isDirectory) throw new InputError('E_INPUT_INVALID', `${video} is a folder; 'dataset film' takes one video file`);
  const info = await probeMedia(video, { signal: options.signal });
  const sha256 = await hashFile(video);
  const record = { ...resolved.record, ...selection };
  const fingerprint = datasetFingerprint('anime', [sha256], record);
  const root = path.resolve(options.out);
  const done = await prepareOut(root, 'anime', fingerprint);
  if (done) return { manifest: done, upToDate: true, reusedCrops: 0 };

  const cropper = new FrameCropper(root, resolved.settings);
  await cropper.prepareFolders();
  const size = fitShortSide(info.width, info.height, resolved.maxShortSide);
  const scaled = size.width !== info.width || size.height !== info.height;
  // A rough upper bound for the bar: one frame per maxGap plus some cuts.
  const total = selection.maxGap! > 0 ? Math.ceil(info.duration / selection.maxGap!) + 1 : undefined;
  let frames = 0;
  for await (const frame of decodeSelectedFrames(video, { ...selection, width: size.width, height: size.height, scale: scaled, signal: options.signal })) {
    await cropper.add(frame, 0, frame.index, `keyframe ${frame.index}`, options.signal);
    frames += 1;
    options.onProgress?.({ done: frames, total: total === undefined ? undefined : Math.max(total, frames), keptFrames: cropper.frames.length, crops: cropper.crops.train + cropper.crops.val });
  }
  throwIfAborted(options.signal);
  const sources: ManifestSource[] = [{ path: video, type: 'video', sha256, frames }];
  return finish(root, 'anime', fingerprint, { ...resolved, record }, sources, cropper, video);
}

type PhotoSource = { path: string; type: 'video'; sha256: string; duration: number; width: number; height: number } | { path: string; type: 'images'; sha256: string; files: string[]; base: string };

/** Builds a photo dataset from travel videos (a frame every `every` s), image folders and images. */
export async function buildPhotoDataset(options: PhotoDatasetOptions): Promise<DatasetResult> {
  const resolved = resolveCommon('photos', options);
  const every = options.every ?? 2;
  check(every > 0, `--every must be > 0 seconds, got ${every}`);
  check(Array.isArray(options.inputs) && options.inputs.length > 0, 'give at least one video, image or image folder');
  const sources: PhotoSource[] = [];
  for (const input of options.inputs) {
    throwIfAborted(options.signal);
    const p = path.resolve(input);
    const { isDirectory } = await requireInput(p);
    if (isDirectory || isImageFile(p)) {
      const files = isDirectory ? await listImages(p) : [p];
      const base = isDirectory ? p : path.dirname(p);
      const parts: string[] = [];
      for (const f of files) parts.push(`${path.relative(base, f)}:${await hashFile(f)}`);
      sources.push({ path: p, type: 'images', sha256: datasetFingerprint('photos', parts, {}), files, base });
    } else {
      const info = await probeMedia(p, { signal: options.signal });
      sources.push({ path: p, type: 'video', sha256: await hashFile(p), duration: info.duration, width: info.width, height: info.height });
    }
  }
  const record = { ...resolved.record, every };
  const fingerprint = datasetFingerprint('photos', sources.map((s) => s.sha256), record);
  const root = path.resolve(options.out);
  const done = await prepareOut(root, 'photos', fingerprint);
  if (done) return { manifest: done, upToDate: true, reusedCrops: 0 };

  const cropper = new FrameCropper(root, resolved.settings);
  await cropper.prepareFolders();
  const total = sources.reduce((n, s) => n + (s.type === 'images' ? s.files.length : Math.ceil(s.duration / every) + 1), 0);
  const manifestSources: ManifestSource[] = [];
  let done_ = 0;
  const progress = (): void =>
    options.onProgress?.({ done: done_, total: Math.max(total, done_), keptFrames: cropper.frames.length, crops: cropper.crops.train + cropper.crops.val });
  for (const [si, s] of sources.entries()) {
    let frames = 0;
    if (s.type === 'images') {
      for (const [fi, file] of s.files.entries()) {
        throwIfAborted(options.signal);
        const label = path.relative(s.base, file);
        let image;
        try {
          image = await readImage(file, resolved.maxShortSide);
        } catch (err) {
          cropper.candidates += 1;
          cropper.drop(si, fi, label, 'unreadable', String((err as Error).message ?? err).split('\n')[0]!.slice(0, 200));
        }
        if (image) await cropper.add(image, si, fi, label, options.signal);
        frames += 1;
        done_ += 1;
        progress();
      }
    } else {
      const size = fitShortSide(s.width, s.height, resolved.maxShortSide);
      const scaled = size.width !== s.width || size.height !== s.height;
      for await (const frame of decodeSelectedFrames(s.path, { sceneThreshold: 0, maxGap: every, width: size.width, height: size.height, scale: scaled, signal: options.signal })) {
        await cropper.add(frame, si, frame.index, `sample ${frame.index}`, options.signal);
        frames += 1;
        done_ += 1;
        progress();
      }
    }
    manifestSources.push({ path: s.path, type: s.type, sha256: s.sha256, frames });
  }
  throwIfAborted(options.signal);
  return finish(root, 'photos', fingerprint, { ...resolved, record }, manifestSources, cropper, options.inputs.join(', '));
}
