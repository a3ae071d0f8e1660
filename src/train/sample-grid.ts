/**
 * Sample grids: one row per sample image, photo | [cel target] | generated, written as a PNG
 * (atomically). The cel target column shows what the structure loss pulls towards, so a run's
 * settings can be judged from its first grid.
 */
import { rename } from 'node:fs/promises';
import sharp from 'sharp';

/** Pure: NHWC [-1,1] batches of n images each → an rgb24 grid (n rows, one column per batch). */
export function buildGrid(columns: readonly Float32Array[], n: number, size: number): { data: Uint8Array; width: number; height: number } {
  const width = size * columns.length;
  const height = size * n;
  const data = new Uint8Array(width * height * 3);
  const toByte = (v: number): number => Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const src = ((k * size + y) * size + x) * 3;
        const row = (k * size + y) * width;
        for (const [col, images] of columns.entries()) {
          for (let c = 0; c < 3; c++) data[(row + col * size + x) * 3 + c] = toByte(images[src + c]!);
        }
      }
    }
  }
  return { data, width, height };
}

export async function writeSampleGrid(file: string, columns: readonly Float32Array[], n: number, size: number): Promise<void> {
  const grid = buildGrid(columns, n, size);
  const temp = `${file}.${process.pid}.tmp.png`;
  await sharp(Buffer.from(grid.data.buffer, grid.data.byteOffset, grid.data.byteLength), { raw: { width: grid.width, height: grid.height, channels: 3 } }).png().toFile(temp);
  await rename(temp, file);
}
