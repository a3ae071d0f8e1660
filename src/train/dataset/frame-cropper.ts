/**
 * The per-frame steps shared by film and photo datasets: judge the frame (black, near-uniform), cut
 * letterbox bars, drop near-duplicates by dHash, pick the split, cut seeded random crops, make the
 * edge-smoothed copy (anime), and write the PNGs. Tracks what was kept and dropped, and why.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { throwIfAborted } from '../../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import type { CannyOptions } from './canny.js';
import { emptyDropCounts, type DropReason, type ManifestDrop, type ManifestFrame } from './dataset-manifest.js';
import { dhash, hammingDistance } from './dhash.js';
import { edgeSmooth } from './edge-smooth.js';
import { judgeFrame } from './frame-quality.js';
import { encodePng, resizeImage } from './image-files.js';
import { ANIME_DIR, ANIME_SMOOTH_DIR, cropId, cropPath, DATASET_SPLITS, PHOTOS_DIR, splitDir, type DatasetKind, type DatasetSplit } from './layout.js';
import { detectLetterbox } from './letterbox.js';
import { mulberry32 } from '../../seeded-random.js';
import { planCrops, seedFrom, unitHash } from './random-crops.js';
import { cropImage, lumaStats, toLuma, type RgbImage } from './rgb-image.js';

/** The settings of the per-frame steps (validated by the entry points). */
export interface CropSettings {
  kind: DatasetKind;
  cropSize: number;
  cropsPerFrame: number;
  valFraction: number;
  seed: number;
  dedupeThreshold: number;
  upscaleSmall: boolean;
  blackMeanLuma: number;
  uniformStd: number;
  minCropStd: number;
  canny: CannyOptions;
}

export class FrameCropper {
  readonly frames: ManifestFrame[] = [];
  readonly drops: ManifestDrop[] = [];
  readonly dropCounts = emptyDropCounts();
  candidates = 0;
  letterboxed = 0;
  readonly crops: Record<DatasetSplit, number> = { train: 0, val: 0 };
  /** Crops whose files already existed (a resumed run). */
  reused = 0;
  private readonly hashes: string[] = [];

  constructor(
    private readonly root: string,
    private readonly s: CropSettings,
  ) {}

  async prepareFolders(): Promise<void> {
    const dirs = this.s.kind === 'anime' ? [ANIME_DIR, ANIME_SMOOTH_DIR] : [PHOTOS_DIR];
    for (const dir of dirs) for (const split of DATASET_SPLITS) await mkdir(splitDir(this.root, dir, split), { recursive: true });
  }

  drop(source: number, frame: number, label: string, reason: DropReason, detail: string): void {
    this.dropCounts[reason] += 1;
    this.drops.push({ source, frame, label, reason, detail });
  }

  /** Processes one candidate frame or image. */
  async add(image: RgbImage, source: number, frame: number, label: string, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    this.candidates += 1;
    const s = this.s;
    const gray = toLuma(image);
    const verdict = judgeFrame(gray, { blackMeanLuma: s.blackMeanLuma, uniformStd: s.uniformStd });
    if (verdict.kind !== 'ok') {
      this.drop(source, frame, label, verdict.kind, `mean luma ${verdict.mean.toFixed(1)}, std ${verdict.std.toFixed(1)}`);
      return;
    }
    const box = detectLetterbox(gray);
    let picture = image;
    if (box.letterboxed) {
      picture = cropImage(image, box.content);
      const inner = judgeFrame(toLuma(picture), { blackMeanLuma: s.blackMeanLuma, uniformStd: s.uniformStd });
      if (inner.kind !== 'ok') {
        this.drop(source, frame, label, inner.kind, `inside bars: mean luma ${inner.mean.toFixed(1)}, std ${inner.std.toFixed(1)}`);
        return;
      }
    }
    if (picture.width < s.cropSize || picture.height < s.cropSize) {
      if (!s.upscaleSmall) {
        this.drop(source, frame, label, 'too-small', `${picture.width}x${picture.height} < ${s.cropSize}px crop`);
        return;
      }
      const scale = s.cropSize / Math.min(picture.width, picture.height);
      picture = await resizeImage(picture, Math.max(s.cropSize, Math.round(picture.width * scale)), Math.max(s.cropSize, Math.round(picture.height * scale)));
    }
    const hash = dhash(toLuma(picture));
    for (const kept of this.hashes) {
      const d = hammingDistance(hash, kept);
      if (d <= s.dedupeThreshold) {
        this.drop(source, frame, label, 'duplicate', `dHash ${hash} within ${d} bits of a kept frame (${kept})`);
        return;
      }
    }
    this.hashes.push(hash);
    if (box.letterboxed) this.letterboxed += 1;
    const split: DatasetSplit = unitHash(s.seed, 'split', source, frame) < s.valFraction ? 'val' : 'train';
    const rects = planCrops({ x: 0, y: 0, width: picture.width, height: picture.height }, s.cropSize, s.cropsPerFrame, mulberry32(seedFrom(s.seed, 'crops', source, frame)));
    const ids: string[] = [];
    for (let c = 0; c < rects.length; c += 1) {
      throwIfAborted(signal);
      const crop = cropImage(picture, rects[c]!);
      const std = lumaStats(toLuma(crop)).std;
      if (std < s.minCropStd) {
        this.drop(source, frame, label, 'uniform-crop', `crop ${c}: luma std ${std.toFixed(1)}`);
        continue;
      }
      const id = cropId(source, frame, c);
      await this.writeCrop(crop, split, id);
      ids.push(id);
      this.crops[split] += 1;
    }
    this.frames.push({ source, frame, label, split, dhash: hash, letterboxed: box.letterboxed, crops: ids });
  }

  private async writeCrop(crop: RgbImage, split: DatasetSplit, id: string): Promise<void> {
    const mainDir = this.s.kind === 'anime' ? ANIME_DIR : PHOTOS_DIR;
    const mainFile = cropPath(this.root, mainDir, split, id);
    const smoothFile = cropPath(this.root, ANIME_SMOOTH_DIR, split, id);
    const haveMain = existsSync(mainFile);
    const haveSmooth = this.s.kind !== 'anime' || existsSync(smoothFile);
    if (haveMain && haveSmooth) {
      this.reused += 1;
      return;
    }
    if (!haveMain) await writeFileAtomic(mainFile, await encodePng(crop));
    if (!haveSmooth) await writeFileAtomic(smoothFile, await encodePng(edgeSmooth(crop, { canny: this.s.canny }).image));
  }
}
