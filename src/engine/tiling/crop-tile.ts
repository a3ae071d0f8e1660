/** Pure pixel copies between a frame and its tiles (rgb24, row-major). */
import type { TileRect } from './tile-plan.js';

/** Copies the pixels of `rect` out of a `width`-wide rgb24 frame. */
export function cropTile(data: Uint8Array, width: number, rect: Pick<TileRect, 'x' | 'y' | 'width' | 'height'>): Uint8Array {
  const out = new Uint8Array(rect.width * rect.height * 3);
  const rowBytes = rect.width * 3;
  for (let y = 0; y < rect.height; y += 1) {
    const src = ((rect.y + y) * width + rect.x) * 3;
    out.set(data.subarray(src, src + rowBytes), y * rowBytes);
  }
  return out;
}
