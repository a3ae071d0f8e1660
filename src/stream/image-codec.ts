/** JPEG/WebP ↔ rgb24 for the WebSocket transport, through sharp (libvips, off the main thread). */
import sharp from 'sharp';
import type { FrameCodec } from './frame-header.js';

/** Decodes a JPEG/WebP/PNG image to rgb24 (alpha removed). */
export async function decodeImageToRgb(bytes: Uint8Array): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/** Encodes rgb24 as JPEG or WebP. */
export async function encodeRgbImage(data: Uint8Array, width: number, height: number, codec: FrameCodec, quality: number): Promise<Uint8Array> {
  const img = sharp(data, { raw: { width, height, channels: 3 } });
  const buf = codec === 'webp' ? await img.webp({ quality }).toBuffer() : await img.jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
