/** Image folders as dataset sources: which files count, and reading one as rgb24 with sharp. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from './rgb-image.js';

/** Extensions read from image folders (lower case). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp'];

export function isImageFile(file: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/** Image files under `dir`, recursively (symlinks followed), sorted by path so ids are stable. */
export async function listImages(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d);
    for (const name of entries) {
      if (name.startsWith('.')) continue;
      const full = path.join(d, name);
      let st;
      try {
        st = await stat(full);
      } catch {
        continue; // a dangling symlink
      }
      if (st.isDirectory()) await walk(full);
      else if (st.isFile() && isImageFile(name)) found.push(full);
    }
  };
  await walk(dir);
  return found.sort();
}

/**
 * Reads an image as rgb24: EXIF orientation applied, alpha dropped (composited on black), grey and
 * CMYK converted to sRGB, and scaled down so the shorter side is at most `maxShortSide` (0 = never).
 * Throws sharp's error for files it cannot decode.
 */
export async function readImage(file: string, maxShortSide: number): Promise<RgbImage> {
  const { data, info } = await sharp(file, { failOn: 'error' }).rotate().flatten({ background: '#000000' }).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let image: RgbImage = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
  const short = Math.min(image.width, image.height);
  if (maxShortSide > 0 && short > maxShortSide) image = await resizeImage(image, Math.round((image.width * maxShortSide) / short), Math.round((image.height * maxShortSide) / short));
  return image;
}

/** Resamples an rgb24 image (Lanczos, sharp's default), e.g. to upscale an image smaller than the crop. */
export async function resizeImage(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** Encodes an rgb24 image as PNG. */
export async function encodePng(image: RgbImage): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
}
