/**
 * Reads training batches from dataset folders (layout: dataset/layout.ts): photo crops, anime crops
 * and their edge-smoothed copies, as NHWC float32 in [-1, 1]. Random crops to the training size and
 * horizontal flips come from the trainer's Rng; the order is a per-epoch permutation that depends
 * only on (seed, epoch), so the loader's whole state is two cursors a checkpoint can hold.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { JapananimeError } from '../errors.js';
import { ANIME_DIR, ANIME_SMOOTH_DIR, CROP_EXTENSION, PHOTO_TARGETS_DIR, PHOTOS_DIR, splitDir, type DatasetSplit } from './dataset/layout.js';
import { epochPermutation, type Rng } from './rng.js';

/** A dataset the trainer cannot use. */
export class DatasetError extends JapananimeError {
  constructor(message: string, cause?: unknown) {
    super('E_DATASET_INVALID', message, { cause });
    this.name = 'DatasetError';
  }
}

/** Where a loader stands in each list: epoch and position in that epoch's permutation. */
export interface LoaderState {
  photos: { epoch: number; cursor: number };
  anime: { epoch: number; cursor: number };
}

export interface DataLoaderOptions {
  /** Dataset root with photos/{train,val}/*.png. */
  photosDir: string;
  /** Dataset root with anime/ and anime_smooth/ (same ids). Not needed for pretraining only. */
  animeDir?: string;
  /** Training crop size (≤ the stored crops). */
  crop: number;
  /** Seed of the data order. */
  seed: number;
  /** Split to read. Default: 'train'. */
  split?: DatasetSplit;
  /** Decoded images kept in memory (each crop²·3 bytes). Default: 2000. */
  cacheImages?: number;
  /**
   * Read each photo crop's precomputed anime target (photo_targets/, `dataset targets`) with the same
   * window and flip. Default: false.
   */
  targets?: boolean;
}

async function listPngs(dir: string, what: string): Promise<string[]> {
  if (!existsSync(dir)) throw new DatasetError(`${what} folder not found: ${dir} (build it with 'japananime dataset')`);
  const names = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith(CROP_EXTENSION)).sort();
  if (names.length === 0) throw new DatasetError(`${what} folder is empty: ${dir}`);
  return names;
}

interface Decoded {
  data: Uint8Array;
  width: number;
  height: number;
}

export class DataLoader {
  private readonly cache = new Map<string, Decoded>();
  private state: LoaderState = { photos: { epoch: 0, cursor: 0 }, anime: { epoch: 0, cursor: 0 } };
  private orders = new Map<string, number[]>();

  private constructor(
    private readonly options: DataLoaderOptions,
    readonly photoFiles: string[],
    readonly animeFiles: string[],
    readonly smoothFiles: string[],
    /** Validation photos (for sample grids); empty when the dataset has none. */
    readonly valPhotoFiles: string[] = [],
    /** The photos' anime targets, index for index (empty unless options.targets). */
    readonly targetFiles: string[] = [],
  ) {}

  /** The target file of a photo crop file (same id, photo_targets/ instead of photos/). */
  private static targetOf(photoFile: string): string {
    const split = path.dirname(photoFile);
    return path.join(path.dirname(path.dirname(split)), PHOTO_TARGETS_DIR, path.basename(split), path.basename(photoFile));
  }

  /** Lists the dataset and checks it can be used (folders exist, not empty, images ≥ crop). */
  static async open(options: DataLoaderOptions): Promise<DataLoader> {
    const split = options.split ?? 'train';
    const photoDir = splitDir(options.photosDir, PHOTOS_DIR, split);
    const photos = (await listPngs(photoDir, 'photo dataset')).map((n) => path.join(photoDir, n));
    let anime: string[] = [];
    let smooth: string[] = [];
    if (options.animeDir !== undefined) {
      const animeDir = splitDir(options.animeDir, ANIME_DIR, split);
      const smoothDir = splitDir(options.animeDir, ANIME_SMOOTH_DIR, split);
      const names = await listPngs(animeDir, 'anime dataset');
      const smoothNames = new Set(await listPngs(smoothDir, 'edge-smoothed anime dataset'));
      const missing = names.find((n) => !smoothNames.has(n));
      if (missing) throw new DatasetError(`${path.join(smoothDir, missing)} is missing: every anime crop needs its edge-smoothed copy`);
      anime = names.map((n) => path.join(animeDir, n));
      smooth = names.map((n) => path.join(smoothDir, n));
    }
    const valDir = splitDir(options.photosDir, PHOTOS_DIR, 'val');
    const valPhotos = split === 'train' && existsSync(valDir)
      ? (await readdir(valDir)).filter((n) => n.toLowerCase().endsWith(CROP_EXTENSION)).sort().map((n) => path.join(valDir, n))
      : [];
    let targets: string[] = [];
    if (options.targets) {
      targets = photos.map((f) => DataLoader.targetOf(f));
      const missing = [...targets, ...valPhotos.map((f) => DataLoader.targetOf(f))].find((f) => !existsSync(f));
      if (missing) throw new DatasetError(`${missing} is missing: make the photos' anime targets with 'japananime dataset targets ${options.photosDir}'`);
    }
    const loader = new DataLoader(options, photos, anime, smooth, valPhotos, targets);
    // Size check on the first image of each list; every later image is checked when decoded.
    await loader.decode(photos[0]!);
    if (anime[0]) await loader.decode(anime[0]);
    return loader;
  }

  getState(): LoaderState {
    return structuredClone(this.state);
  }

  setState(state: LoaderState): void {
    this.state = structuredClone(state);
  }

  private order(kind: 'photos' | 'anime', epoch: number, n: number): number[] {
    const key = `${kind}:${epoch}`;
    let o = this.orders.get(key);
    if (!o) {
      this.orders.clear();
      o = epochPermutation(n, this.options.seed + (kind === 'anime' ? 7919 : 0), epoch);
      this.orders.set(key, o);
    }
    return o;
  }

  /** The next `count` indices of a list, advancing the cursor through per-epoch permutations. */
  private take(kind: 'photos' | 'anime', count: number, n: number): number[] {
    const s = this.state[kind];
    const out: number[] = [];
    while (out.length < count) {
      if (s.cursor >= n) {
        s.epoch += 1;
        s.cursor = 0;
      }
      out.push(this.order(kind, s.epoch, n)[s.cursor]!);
      s.cursor += 1;
    }
    return out;
  }

  private async decode(file: string): Promise<Decoded> {
    const hit = this.cache.get(file);
    if (hit) return hit;
    let decoded: Decoded;
    try {
      const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      decoded = { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
    } catch (cause) {
      throw new DatasetError(`cannot read training image ${file}`, cause);
    }
    if (decoded.width < this.options.crop || decoded.height < this.options.crop) {
      throw new DatasetError(`training image ${file} is ${decoded.width}×${decoded.height}, smaller than the crop ${this.options.crop} (use --crop ${Math.min(decoded.width, decoded.height)} or rebuild the dataset)`);
    }
    if (this.cache.size < (this.options.cacheImages ?? 2000)) this.cache.set(file, decoded);
    return decoded;
  }

  /** Copies a crop (optionally mirrored) of `img` into `out` at image slot `slot`, mapped to [-1, 1]. */
  private static place(img: Decoded, x0: number, y0: number, flip: boolean, size: number, out: Float32Array, slot: number): void {
    let o = slot * size * size * 3;
    for (let y = 0; y < size; y++) {
      const row = (y0 + y) * img.width;
      for (let x = 0; x < size; x++) {
        const sx = flip ? x0 + size - 1 - x : x0 + x;
        const i = (row + sx) * 3;
        out[o++] = img.data[i]! / 127.5 - 1;
        out[o++] = img.data[i + 1]! / 127.5 - 1;
        out[o++] = img.data[i + 2]! / 127.5 - 1;
      }
    }
  }

  private async fill(files: string[], indices: number[], rng: Rng, out: Float32Array, twin?: { files: string[]; out: Float32Array }): Promise<void> {
    const size = this.options.crop;
    for (let k = 0; k < indices.length; k++) {
      const idx = indices[k]!;
      const img = await this.decode(files[idx]!);
      // Draw the crop and flip even when the image equals the crop size, so the random stream does not depend on sizes.
      const x0 = rng.int(img.width - size + 1);
      const y0 = rng.int(img.height - size + 1);
      const flip = rng.next() < 0.5;
      DataLoader.place(img, x0, y0, flip, size, out, k);
      if (twin) {
        const other = await this.decode(twin.files[idx]!);
        DataLoader.place(other, Math.min(x0, other.width - size), Math.min(y0, other.height - size), flip, size, twin.out, k);
      }
    }
  }

  /** The next batch of photos (and, for the GAN phase, anime crops with the same crop on their smoothed copies). */
  async next(n: number, rng: Rng, withAnime: boolean): Promise<{ photos: Float32Array; targets?: Float32Array; anime?: Float32Array; smooth?: Float32Array }> {
    const px = this.options.crop * this.options.crop * 3;
    const photos = new Float32Array(n * px);
    const targets = this.targetFiles.length > 0 ? new Float32Array(n * px) : undefined;
    await this.fill(this.photoFiles, this.take('photos', n, this.photoFiles.length), rng, photos, targets ? { files: this.targetFiles, out: targets } : undefined);
    if (!withAnime) return { photos, ...(targets ? { targets } : {}) };
    if (this.animeFiles.length === 0) throw new DatasetError('the GAN phase needs an anime dataset (--anime <dir>)');
    const anime = new Float32Array(n * px);
    const smooth = new Float32Array(n * px);
    await this.fill(this.animeFiles, this.take('anime', n, this.animeFiles.length), rng, anime, { files: this.smoothFiles, out: smooth });
    return { photos, ...(targets ? { targets } : {}), anime, smooth };
  }

  /** `n` validation photos (else training photos), evenly spaced in the list, as centre crops for sample grids, NHWC in [-1, 1]. */
  async fixedPhotos(n: number): Promise<{ photos: Float32Array; targets?: Float32Array; n: number }> {
    const files = this.valPhotoFiles.length > 0 ? this.valPhotoFiles : this.photoFiles;
    const count = Math.min(n, files.length);
    const size = this.options.crop;
    const out = new Float32Array(count * size * size * 3);
    const targets = this.targetFiles.length > 0 ? new Float32Array(count * size * size * 3) : undefined;
    for (let k = 0; k < count; k++) {
      // Spread over the list: neighbouring crops mostly come from the same picture.
      const file = files[Math.floor((k * files.length) / count)]!;
      const img = await this.decode(file);
      const x0 = Math.floor((img.width - size) / 2);
      const y0 = Math.floor((img.height - size) / 2);
      DataLoader.place(img, x0, y0, false, size, out, k);
      if (targets) DataLoader.place(await this.decode(DataLoader.targetOf(file)), x0, y0, false, size, targets, k);
    }
    return { photos: out, ...(targets ? { targets } : {}), n: count };
  }
}
