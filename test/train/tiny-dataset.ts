/**
 * Test helper: a tiny dataset in the layout of src/train/dataset/layout.ts, made with sharp: photos
 * are smooth colour gradients with a few discs, anime crops flat colour blocks with dark outlines,
 * the smoothed copies blurred versions of them.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

function photo(size: number, seed: number): Buffer {
  const data = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      const disc = ((x - size * 0.3 - seed * 3) ** 2 + (y - size * 0.6) ** 2) < (size * 0.2) ** 2;
      data[i] = Math.round(255 * (x / size)) ^ (disc ? 0x60 : 0);
      data[i + 1] = Math.round(200 * (y / size) + seed * 20) & 255;
      data[i + 2] = disc ? 40 : Math.round(128 + 100 * Math.sin((x + y + seed * 5) / 6));
    }
  }
  return data;
}

function animeFrame(size: number, seed: number): Buffer {
  const data = Buffer.alloc(size * size * 3);
  const palette = [[250, 210, 180], [90, 140, 230], [240, 240, 250], [120, 200, 120]];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      const block = (Math.floor((x + seed * 7) / (size / 4)) + Math.floor(y / (size / 4))) % palette.length;
      const edge = (x + seed * 7) % (size / 4) < 1 || y % (size / 4) < 1;
      const c = edge ? [20, 20, 30] : palette[block]!;
      data[i] = c[0]!;
      data[i + 1] = c[1]!;
      data[i + 2] = c[2]!;
    }
  }
  return data;
}

async function writePng(file: string, data: Buffer, size: number, blur = false): Promise<void> {
  let img = sharp(data, { raw: { width: size, height: size, channels: 3 } });
  if (blur) img = img.blur(1.5);
  await img.png().toFile(file);
}

/** Writes `count` photos and anime crops per split under `root`; returns root. */
export async function makeTinyDataset(root: string, options: { size?: number; count?: number; withAnime?: boolean } = {}): Promise<string> {
  const size = options.size ?? 64;
  const count = options.count ?? 3;
  for (const split of ['train', 'val']) {
    for (const dir of ['photos', ...(options.withAnime === false ? [] : ['anime', 'anime_smooth'])]) await mkdir(path.join(root, dir, split), { recursive: true });
    for (let k = 0; k < count; k++) {
      const id = `s00-f${String(k).padStart(6, '0')}-c00.png`;
      await writePng(path.join(root, 'photos', split, id), photo(size, k), size);
      if (options.withAnime !== false) {
        await writePng(path.join(root, 'anime', split, id), animeFrame(size, k), size);
        await writePng(path.join(root, 'anime_smooth', split, id), animeFrame(size, k), size, true);
      }
    }
  }
  return root;
}
