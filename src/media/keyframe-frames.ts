/**
 * Decodes only selected frames of a video (scene changes, periodic samples) to rgb24 Frames, for
 * the dataset builder. Pull-based like decode-frames.ts, through the same FrameReader: the next frame
 * is read from the pipe only when the consumer asks, so a slow consumer pauses ffmpeg instead of
 * buffering frames.
 */
import { AbortedError, InputError } from '../errors.js';
import type { Frame } from '../frame.js';
import { ffmpegError, lastMeaningfulLine, spawnChild } from './child-process.js';
import { resolveFfmpeg } from './ffmpeg-binary.js';
import { FrameReader } from './frame-reader.js';
import { buildSelectFramesArgs, type FrameSelection } from './keyframe-args.js';

export interface SelectedFramesOptions extends FrameSelection {
  /** Width of the frames delivered (the display width, or the scaled width). */
  width: number;
  /** Height of the frames delivered. */
  height: number;
  /** Scale in ffmpeg to width×height (set when it differs from the source). Default: false. */
  scale?: boolean;
  /** Stops decoding; the iteration then throws AbortedError. Default: none. */
  signal?: AbortSignal;
}

/**
 * Yields the selected frames in order. `index` counts selected frames (0, 1, 2…); `pts` is not known
 * for selected frames and is set to NaN. Breaking out of the loop stops ffmpeg.
 */
export async function* decodeSelectedFrames(input: string, options: SelectedFramesOptions): AsyncGenerator<Frame> {
  if (options.signal?.aborted) throw new AbortedError();
  const { ffmpeg } = await resolveFfmpeg();
  const args = buildSelectFramesArgs({ ...options, input, scaleTo: options.scale ? { width: options.width, height: options.height } : undefined });
  const handle = spawnChild(ffmpeg, args, { stdin: 'ignore', stdout: 'pipe', signal: options.signal });
  const frameBytes = options.width * options.height * 3;
  const reader = new FrameReader(handle.stdout!, frameBytes);
  let index = 0;
  let cut = false;
  try {
    for (;;) {
      let frame: Buffer | null;
      try {
        frame = await reader.next();
      } catch (err) {
        // A stream torn down by an abort can fail in other ways; report the abort instead.
        if (options.signal?.aborted || handle.closing) throw new AbortedError();
        throw err;
      }
      if (frame === null) break;
      // Only at the very end: the rest of a frame, checked once ffmpeg's exit says why.
      if (frame.length !== frameBytes) {
        cut = true;
        break;
      }
      yield { data: frame, width: options.width, height: options.height, pts: Number.NaN, index: index++ };
    }
    const exit = await handle.exited;
    if (options.signal?.aborted || handle.closing) throw new AbortedError();
    if (exit.kind === 'failed') {
      throw new InputError('E_INPUT_INVALID', `${input} cannot be decoded: ${lastMeaningfulLine(exit.stderrTail)}`, ffmpegError('ffmpeg frame selection', exit));
    }
    if (cut) throw new InputError('E_INPUT_TRUNCATED', `${input}: the decoder stopped inside a frame`);
  } finally {
    await handle.close();
  }
}
