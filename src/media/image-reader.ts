/**
 * Reads a still image (JPEG, PNG, WebP) into rgb24 pixels the Stylizer takes, with its EXIF
 * orientation applied (a portrait photo from a phone is stored sideways with Orientation=6; the
 * model must see it upright) and its colours converted to sRGB (the model's colour space). Alpha, when
 * present, is returned apart so it can be put back on the stylized image.
 */
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { InputError } from '../errors.js';
import type { Frame } from '../frame.js';

/** The still-image formats read and written. */
export type ImageFormat = 'jpeg' | 'png' | 'webp';
export const IMAGE_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'webp'];

/**
 * Smallest side that is stylized: the generators downsample by 4 and instance-normalise every
 * channel over H×W, so below 8 px the innermost feature maps have a single pixel and normalise to a
 * constant (the output would be a flat colour, not a stylization).
 */
export const MIN_IMAGE_SIDE = 8;

/** What readImageInfo learns from the header alone, without decoding the pixels. */
export interface ImageInfo {
  /** Absolute or given path of the file. */
  file: string;
  format: ImageFormat;
  /** Size after the EXIF orientation is applied (what the user sees). */
  width: number;
  height: number;
  hasAlpha: boolean;
  /** The embedded ICC profile, if any. */
  icc: Buffer | undefined;
  /** Whether the file carries EXIF metadata. */
  hasExif: boolean;
}

/** A decoded image: upright, sRGB, rgb24. */
export interface DecodedImage extends ImageInfo {
  /** rgb24, row-major, width*height*3. */
  data: Uint8Array;
  /** The alpha channel (width*height), when the image has one. */
  alpha: Uint8Array | undefined;
}

/** Maps sharp's format names to ours; undefined for anything else. */
function ourFormat(format: string | undefined): ImageFormat | undefined {
  return format === 'jpeg' || format === 'png' || format === 'webp' ? format : undefined;
}

async function assertFile(file: string): Promise<void> {
  let st;
  try {
    st = await stat(file);
  } catch (err) {
    throw new InputError('E_INPUT_MISSING', `${file}: no such file`, err);
  }
  if (!st.isFile()) throw new InputError('E_INPUT_INVALID', `${file}: not a file`);
}

/** Reads the header: format, upright size, alpha, metadata. Throws InputError for anything unusable. */
export async function readImageInfo(file: string): Promise<ImageInfo> {
  await assertFile(file);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(file).metadata();
  } catch (err) {
    throw new InputError('E_INPUT_INVALID', `${file}: not a readable image (${firstLine(err)})`, err);
  }
  const format = ourFormat(meta.format);
  if (!format) throw new InputError('E_INPUT_INVALID', `${file}: unsupported image format '${meta.format ?? 'unknown'}' (JPEG, PNG and WebP are supported)`);
  if (!meta.width || !meta.height) throw new InputError('E_INPUT_INVALID', `${file}: the image has no size`);
  // Orientations 5–8 are rotated by 90°: width and height swap once the orientation is applied.
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? meta.height : meta.width;
  const height = swap ? meta.width : meta.height;
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw new InputError('E_INPUT_INVALID', `${file}: the image is ${width}x${height}; the smallest that can be stylized is ${MIN_IMAGE_SIDE}x${MIN_IMAGE_SIDE}`);
  }
  return { file, format, width, height, hasAlpha: meta.hasAlpha ?? false, icc: meta.icc, hasExif: meta.exif !== undefined };
}

/** Decodes an image upright, in sRGB, as rgb24 (+ alpha apart). Throws InputError for a corrupt file. */
export async function readImage(file: string): Promise<DecodedImage> {
  const info = await readImageInfo(file);
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    // failOn 'error': a truncated JPEG is an error, not a grey half (sharp's default only warns).
    raw = await sharp(file, { failOn: 'error' }).rotate().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new InputError('E_INPUT_INVALID', `${file}: corrupt image (${firstLine(err)})`, err);
  }
  const { width, height, channels } = raw.info;
  const n = width * height;
  const data = new Uint8Array(n * 3);
  let alpha: Uint8Array | undefined;
  if (channels === 3) data.set(raw.data);
  else if (channels === 4 || channels === 2) {
    // 4: rgba; 2: grey+alpha (toColourspace('srgb') normally expands grey, this is a safety net).
    alpha = new Uint8Array(n);
    for (let i = 0; i < n; i += 1) {
      const s = i * channels;
      const r = raw.data[s]!;
      data[i * 3] = r;
      data[i * 3 + 1] = channels === 4 ? raw.data[s + 1]! : r;
      data[i * 3 + 2] = channels === 4 ? raw.data[s + 2]! : r;
      alpha[i] = raw.data[s + channels - 1]!;
    }
  } else if (channels === 1) {
    for (let i = 0; i < n; i += 1) data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = raw.data[i]!;
  } else {
    throw new InputError('E_INPUT_INVALID', `${file}: ${channels} colour channels are not supported`);
  }
  return { ...info, width, height, data, alpha };
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.trim();
}

/**
 * An image as one rgb24 Frame, upright, in sRGB, alpha dropped, scaled down so its longest side is
 * at most maxSide (never up): what measurements (eval, int8 calibration) feed a model. Throws
 * InputError for a file that is not a readable image.
 */
export async function readImageFitted(file: string, maxSide: number): Promise<Frame> {
  try {
    const { data, info } = await sharp(file)
      .rotate()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, pts: 0, index: 0 };
  } catch (err) {
    throw new InputError('E_INPUT_INVALID', `${file}: not a readable image (${(err as Error).message})`, err);
  }
}
