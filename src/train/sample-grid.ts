/**
 * Sample grids: one row per sample image, photo | generated, written as a PNG (atomically).
 */
import { rename } from 'node:fs/promises';
import sharp from 'sharp';

/** Pure: NHWC [-1,1] photo and generated batches → an rgb24 grid (n rows, 2 columns). */
export function buildGrid(photos: Float32Array, generated: Float32Array, n: number, size: number): { data: Uint8Array; width: number; height: number } {
  const width = size * 2;
  const height = size * n;
  const data = new Uint8Array(width * height * 3);
  const toByte = (v: number): number => Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const src = ((k * size + y) * size + x) * 3;
        const row = (k * size + y) * width;
        for (let c = 0; c < 3; c++) {
          data[(row + x) * 3 + c] = toByte(photos[src + c]!);
          data[(row + size + x) * 3 + c] = toByte(generated[src + c]!);
        }
      }
    }
  }
  return { data, width, height };
}

export async function writeSampleGrid(file: string, photos: Float32Array, generated: Float32Array, n: number, size: number): Promise<void> {
  const grid = buildGrid(photos, generated, n, size);
  const temp = `${file}.${process.pid}.tmp.png`;
  await sharp(Buffer.from(grid.data.buffer, grid.data.byteOffset, grid.data.byteLength), { raw: { width: grid.width, height: grid.height, channels: 3 } }).png().toFile(temp);
  await rename(temp, file);
}
