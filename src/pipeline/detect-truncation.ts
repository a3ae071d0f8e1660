/**
 * Pure: decides from a finished decode whether the input ended early. ffmpeg decodes what is there
 * of a cut file and exits 0, so the signs are fewer frames than the header promised and demuxer
 * complaints ("partial file", "File ended prematurely") on stderr.
 */
import type { DecodeSummary } from '../media/decode-frames.js';
import type { MediaInfo } from '../media/probe.js';

const TRUNCATION_SIGNS = /partial file|ended prematurely|invalid data|corrupt|truncat|error while decoding|end of file|moov atom/i;

export interface TruncationVerdict {
  truncated: boolean;
  /** One-line reason when truncated. */
  reason?: string;
}

export function detectTruncation(info: Pick<MediaInfo, 'frameCount' | 'frameCountExact'>, summary: DecodeSummary): TruncationVerdict {
  if (summary.frames === 0) return { truncated: true, reason: 'no frame could be decoded' };
  // Two frames of slack: an MP4 edit list may legitimately hide a frame or two the header counts;
  // a real cut is caught here by a larger gap or below by the demuxer's complaint.
  if (info.frameCountExact && summary.frames < info.frameCount - 2) {
    return { truncated: true, reason: `only ${summary.frames} of ${info.frameCount} frames could be decoded` };
  }
  // Without a header count, the estimate from duration × rate is only approximate: allow 3% + 1.
  if (!info.frameCountExact && info.frameCount > 0 && summary.frames < info.frameCount * 0.97 - 1) {
    return { truncated: true, reason: `only ${summary.frames} of about ${info.frameCount} frames could be decoded` };
  }
  const sign = summary.errors.split('\n').find((l) => TRUNCATION_SIGNS.test(l));
  if (sign) return { truncated: true, reason: `the decoder reported: ${sign.replace(/^\[[^\]]*\]\s*/, '').trim()}` };
  return { truncated: false };
}
