/**
 * Seeded crop positions: the same seed, source and frame give the same crops on every run, which
 * is what lets a re-run skip the files that already exist.
 */
import { createHash } from 'node:crypto';
import type { Rect } from './rgb-image.js';

/** A 32-bit seed derived from any key (seed, source, frame…), so streams do not overlap. */
export function seedFrom(...parts: Array<string | number>): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32LE(0);
}

/** A deterministic number in [0, 1) for a key: used for the train/val split of a frame. */
export function unitHash(...parts: Array<string | number>): number {
  return seedFrom(...parts) / 4294967296;
}

/**
 * `count` square crops of side `size` at random positions inside `area` (which must be at least
 * size×size). Positions are independent; overlapping crops of one frame are fine for training.
 */
export function planCrops(area: Rect, size: number, count: number, random: () => number): Rect[] {
  if (area.width < size || area.height < size) throw new RangeError(`area ${area.width}x${area.height} is smaller than the ${size}px crop`);
  const crops: Rect[] = [];
  for (let i = 0; i < count; i += 1) {
    const x = area.x + Math.floor(random() * (area.width - size + 1));
    const y = area.y + Math.floor(random() * (area.height - size + 1));
    crops.push({ x, y, width: size, height: size });
  }
  return crops;
}
