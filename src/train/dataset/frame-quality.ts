/**
 * Which frames are worth cropping: black frames (fades, gaps between scenes) and near-uniform ones
 * (title cards, flat colour) carry no style and would only teach flat fills.
 */
import { lumaStats, type GrayImage } from './rgb-image.js';

export interface FrameQualityOptions {
  /** Mean luma below which a frame is black. Default: 24. */
  blackMeanLuma?: number;
  /** Luma standard deviation below which a frame (or crop) is near-uniform. Default: 8. */
  uniformStd?: number;
}

export type FrameVerdict = { kind: 'ok' } | { kind: 'black' | 'uniform'; mean: number; std: number };

export function judgeFrame(gray: GrayImage, options: FrameQualityOptions = {}): FrameVerdict {
  const { mean, std } = lumaStats(gray);
  if (mean < (options.blackMeanLuma ?? 24) && std < 2 * (options.uniformStd ?? 8)) return { kind: 'black', mean, std };
  if (std < (options.uniformStd ?? 8)) return { kind: 'uniform', mean, std };
  return { kind: 'ok' };
}
