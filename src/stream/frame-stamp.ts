/**
 * A frame number stamped into the pixels, so that end-to-end latency over WebRTC is measured per
 * frame on the browser's own clock: the viewer draws the number as black/white cells in the top-left
 * corner of the frame it sends (a canvas), the server reads it from the received frame and writes the
 * same cells into the stylized frame, and the viewer reads it back from the frame it shows and looks
 * up when that frame was captured. Only sessions that ask for it (`stamp` in hello) are stamped.
 *
 * Layout: one row of STAMP_CELLS square cells of STAMP_CELL pixels from (0, 0): 16 bits of the frame
 * number (mod 65536), then 8 check bits, most significant first. A cell is white for 1 and black for
 * 0; it is read as the mean of its central half, so codec blur at the edges does not matter. A read
 * whose check bits disagree (a codec smeared a cell, or nothing was stamped) is rejected.
 */

export const STAMP_CELL = 8;
export const STAMP_CELLS = 24;
/** Width and height in pixels of the stamped strip. */
export const STAMP_WIDTH = STAMP_CELL * STAMP_CELLS;
export const STAMP_HEIGHT = STAMP_CELL;

function check(value: number): number {
  return ((value >> 8) ^ (value & 0xff) ^ 0xa5) & 0xff;
}

/** The 24 cell bits (1 = white) for a frame number. */
export function stampBits(frameNumber: number): number[] {
  const value = frameNumber & 0xffff;
  const word = (value << 8) | check(value);
  return Array.from({ length: STAMP_CELLS }, (_, i) => (word >> (STAMP_CELLS - 1 - i)) & 1);
}

/** The frame number from 24 cell bits, or null when the check bits disagree. */
export function stampFromBits(bits: readonly number[]): number | null {
  if (bits.length !== STAMP_CELLS) return null;
  let word = 0;
  for (const b of bits) word = (word << 1) | (b ? 1 : 0);
  const value = word >> 8;
  return check(value) === (word & 0xff) ? value : null;
}

/** Whether a frame of this size has room for the stamp. */
export function canStamp(width: number, height: number): boolean {
  return width >= STAMP_WIDTH && height >= STAMP_HEIGHT;
}

/**
 * Reads a stamp through a luma accessor (0–255 at pixel x, y): the server passes the I420 Y plane,
 * the viewer the pixels of the frame it shows.
 */
export function readStamp(luma: (x: number, y: number) => number): number | null {
  const q = STAMP_CELL >> 2;
  const bits: number[] = [];
  for (let c = 0; c < STAMP_CELLS; c++) {
    let sum = 0;
    let n = 0;
    for (let y = q; y < STAMP_CELL - q; y++) {
      for (let x = c * STAMP_CELL + q; x < (c + 1) * STAMP_CELL - q; x++) {
        sum += luma(x, y);
        n++;
      }
    }
    bits.push(sum / n >= 128 ? 1 : 0);
  }
  return stampFromBits(bits);
}

/** Reads the stamp of an I420 frame (its Y plane), or null. */
export function readStampI420(i420: Uint8Array, width: number, height: number): number | null {
  if (!canStamp(width, height)) return null;
  return readStamp((x, y) => i420[y * width + x] as number);
}

/**
 * Writes a stamp into an I420 frame in place: full-contrast luma cells (16/235, video range) and
 * neutral chroma under them, so the cells stay black and white through any colour conversion.
 */
export function writeStampI420(i420: Uint8Array, width: number, height: number, frameNumber: number): void {
  if (!canStamp(width, height)) return;
  const bits = stampBits(frameNumber);
  for (let y = 0; y < STAMP_HEIGHT; y++) {
    for (let c = 0; c < STAMP_CELLS; c++) i420.fill(bits[c] ? 235 : 16, y * width + c * STAMP_CELL, y * width + (c + 1) * STAMP_CELL);
  }
  const cw = (width + 1) >> 1;
  const uOff = width * height;
  const vOff = uOff + cw * ((height + 1) >> 1);
  for (let y = 0; y < STAMP_HEIGHT >> 1; y++) {
    i420.fill(128, uOff + y * cw, uOff + y * cw + (STAMP_WIDTH >> 1));
    i420.fill(128, vOff + y * cw, vOff + y * cw + (STAMP_WIDTH >> 1));
  }
}
