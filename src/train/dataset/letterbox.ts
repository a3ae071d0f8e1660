/**
 * Letterbox/pillarbox detection: dark bars along the edges of a frame (a 2.39:1 film in a 16:9
 * video, a 4:3 show in 16:9). Their crops would teach the model that black rectangles are anime, so
 * the builder cuts them off before cropping.
 */
import type { GrayImage, Rect } from './rgb-image.js';

export interface LetterboxOptions {
  /** Luma at or below which a pixel counts as bar black. Default: 32 (video black is 16 plus noise). */
  darkLuma?: number;
  /** Largest fraction of bright pixels a row/column may have and still be a bar. Default: 0.02. */
  maxBrightFraction?: number;
  /** Bars thinner than this many pixels are ignored (encoder edge noise). Default: 2. */
  minBar?: number;
}

export interface LetterboxResult {
  /** The picture without its bars (the whole frame when there are none). */
  content: Rect;
  /** Whether any bar was found. */
  letterboxed: boolean;
}

export function detectLetterbox(gray: GrayImage, options: LetterboxOptions = {}): LetterboxResult {
  const dark = options.darkLuma ?? 32;
  const maxBright = options.maxBrightFraction ?? 0.02;
  const minBar = options.minBar ?? 2;
  const { width, height, data } = gray;
  const rowIsBar = (y: number): boolean => {
    let bright = 0;
    for (let x = 0; x < width; x += 1) if (data[y * width + x]! > dark) bright += 1;
    return bright <= maxBright * width;
  };
  const colIsBar = (x: number, y0: number, y1: number): boolean => {
    let bright = 0;
    for (let y = y0; y < y1; y += 1) if (data[y * width + x]! > dark) bright += 1;
    return bright <= maxBright * (y1 - y0);
  };
  let top = 0;
  while (top < height && rowIsBar(top)) top += 1;
  if (top === height) return { content: { x: 0, y: 0, width, height }, letterboxed: false }; // all dark: a black frame, not a letterbox
  let bottom = height;
  while (bottom > top && rowIsBar(bottom - 1)) bottom -= 1;
  let left = 0;
  while (left < width && colIsBar(left, top, bottom)) left += 1;
  let right = width;
  while (right > left && colIsBar(right - 1, top, bottom)) right -= 1;
  if (top < minBar) top = 0;
  if (height - bottom < minBar) bottom = height;
  if (left < minBar) left = 0;
  if (width - right < minBar) right = width;
  const letterboxed = top > 0 || bottom < height || left > 0 || right < width;
  return { content: { x: left, y: top, width: right - left, height: bottom - top }, letterboxed };
}
