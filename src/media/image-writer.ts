/**
 * Writes a stylized still image atomically (a temp name in the same folder, then a rename: an output
 * is either complete or absent), in the format its extension names, with the source's EXIF and ICC
 * profile carried over where the format allows.
 *
 * Metadata: sharp cannot attach a raw EXIF block to pixels that come from memory, so the stylized
 * pixels are composited over the (auto-rotated) source and `keepExif()` keeps the source's EXIF; the
 * auto-rotation resets the Orientation tag to 1, since the pixels are now upright. The ICC profile is
 * applied with `withIccProfile()`, which converts our sRGB pixels into that profile and attaches it,
 * so colours stay right (keeping the profile without converting would mislabel sRGB pixels).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { JapananimeError } from '../errors.js';
import type { ImageFormat } from './image-reader.js';

/** Output extensions and the format each one means. */
export const IMAGE_EXTENSIONS: Readonly<Record<string, ImageFormat>> = { '.jpg': 'jpeg', '.jpeg': 'jpeg', '.png': 'png', '.webp': 'webp' };

/** Pure: the format an output path's extension asks for (case-insensitive), or undefined. */
export function formatFromExtension(file: string): ImageFormat | undefined {
  return IMAGE_EXTENSIONS[path.extname(file).toLowerCase()];
}

/** Pixels to write: rgb24 (+ optional alpha) of the given size. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** width*height alpha values; kept for PNG and WebP, dropped for JPEG. */
  alpha?: Uint8Array | undefined;
}

export interface WriteImageOptions {
  /** Output format. Default: from the file's extension (.jpg/.jpeg/.png/.webp). */
  format?: ImageFormat;
  /** Source image whose EXIF is carried over (same upright size as the pixels). Default: none. */
  metadataFrom?: string;
  /** ICC profile to convert the sRGB pixels into and attach. Default: none (sRGB). */
  icc?: Buffer | undefined;
  /** JPEG/WebP quality 1–100. Default: 92. */
  quality?: number;
}

/** Writes `image` to `file` atomically. Throws JapananimeError('E_OUTPUT_INVALID') with one line on failure. */
export async function writeImage(file: string, image: RgbImage, options: WriteImageOptions = {}): Promise<void> {
  const format = options.format ?? formatFromExtension(file);
  if (!format) throw new JapananimeError('E_OUTPUT_INVALID', `${file}: unknown output extension '${path.extname(file)}' (use .jpg, .jpeg, .png or .webp)`);
  const dir = path.dirname(path.resolve(file));
  await ensureFolder(dir);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = path.join(dir, `.${path.basename(file)}.${tag}.in-progress`);
  const iccFile = options.icc ? `${temp}.icc` : undefined;
  const withAlpha = image.alpha !== undefined && format !== 'jpeg';
  try {
    const channels = withAlpha ? 4 : 3;
    const pixels = withAlpha ? interleaveAlpha(image.data, image.alpha!) : image.data;
    const raw = { width: image.width, height: image.height, channels } as const;
    let pipeline = options.metadataFrom
      ? sharp(options.metadataFrom, { failOn: 'none' })
          .rotate()
          .composite([{ input: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), raw, blend: 'source' }])
          .keepExif()
      : sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw });
    if (!withAlpha) pipeline = pipeline.removeAlpha();
    if (iccFile && options.icc) {
      // sharp takes a profile by file name only.
      await writeFile(iccFile, options.icc);
      pipeline = pipeline.withIccProfile(iccFile);
    }
    const quality = options.quality ?? 92;
    pipeline = format === 'jpeg' ? pipeline.jpeg({ quality }) : format === 'webp' ? pipeline.webp({ quality }) : pipeline.png();
    await pipeline.toFile(temp);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    if (err instanceof JapananimeError) throw err;
    throw new JapananimeError('E_OUTPUT_INVALID', `${file}: cannot write the image (${String((err as Error).message).split('\n')[0]})`, { cause: err });
  } finally {
    if (iccFile) await rm(iccFile, { force: true });
  }
}

/** Creates `dir` (and parents) unless it exists; a file in the way is E_OUTPUT_INVALID. */
export async function ensureFolder(dir: string): Promise<void> {
  const st = await stat(dir).catch(() => undefined);
  if (st?.isDirectory()) return;
  if (st) throw new JapananimeError('E_OUTPUT_INVALID', `${dir} is a file, not a folder`);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new JapananimeError('E_OUTPUT_INVALID', `cannot create the folder ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
}

function interleaveAlpha(rgb: Uint8Array, alpha: Uint8Array): Uint8Array {
  const n = alpha.length;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i += 1) {
    out[i * 4] = rgb[i * 3]!;
    out[i * 4 + 1] = rgb[i * 3 + 1]!;
    out[i * 4 + 2] = rgb[i * 3 + 2]!;
    out[i * 4 + 3] = alpha[i]!;
  }
  return out;
}
