/**
 * Decodes a video to rgb24 Frames through an ffmpeg pipe.
 *
 * Why an AsyncIterable and not an Observable: it is pull-based. A frame is read from the pipe only
 * when the consumer asks for the next one (FrameReader, frame-reader.ts), so when the
 * consumer is slow, Node stops reading, the OS pipe fills, and ffmpeg blocks in write(): the decoder
 * is paused by the pipe's backpressure and memory holds at most ~one frame plus the pipe buffer.
 * The pipeline wraps it in a credit-based Observable (src/pipeline/pull-frames.ts).
 *
 * Breaking out of the loop (or close()) stops ffmpeg; no child outlives the iteration.
 */
import { AbortedError, InputError } from '../errors.js';
import type { Frame } from '../frame.js';
import { ffmpegError, lastMeaningfulLine, spawnChild } from './child-process.js';
import type { ChildExit, ChildHandle } from './child-process.js';
import { buildDecodeArgs } from './ffmpeg-args.js';
import type { DecodeArgsOptions } from './ffmpeg-args.js';
import { resolveFfmpeg } from './ffmpeg-binary.js';
import { FrameReader } from './frame-reader.js';
import type { Rational } from './probe.js';

export interface DecodeFramesOptions {
  /** Width of the frames delivered (the source's display width, or the scaled size). */
  width: number;
  /** Height of the frames delivered. */
  height: number;
  /** Frame rate used to compute each frame's pts (index / rate). */
  frameRate: Rational;
  /** Scale in ffmpeg to width×height (set when it differs from the source). Default: false. */
  scale?: boolean;
  /** Video stream index to decode. Default: the first video stream. */
  streamIndex?: number;
  /** Force a demuxer (e.g. 'v4l2' for a device). Default: none. */
  inputFormat?: string;
  /** Read at native rate (-re). Default: false. */
  realtime?: boolean;
  /** Loop forever. Default: false. */
  loop?: boolean;
  /** Stops decoding; the iteration then throws AbortedError. Default: none. */
  signal?: AbortSignal;
  /** Scheduling niceness of the ffmpeg process (see SpawnChildOptions.niceness). Default: 0. */
  niceness?: number;
}

/** The outcome of a finished decode, for truncation checks. */
export interface DecodeSummary {
  /** Frames delivered. */
  frames: number;
  /** ffmpeg's stderr at `-v error` (empty when the input decoded cleanly). */
  errors: string;
}

/** A running decode: iterate it once for the frames; `summary` is set when iteration ends normally. */
export class FrameDecoder implements AsyncIterable<Frame> {
  private handle: ChildHandle | undefined;
  private started = false;
  private delivered = 0;
  /** Set after the last frame when ffmpeg exited cleanly. */
  summary: DecodeSummary | undefined;

  constructor(
    private readonly input: string,
    private readonly options: DecodeFramesOptions,
  ) {}

  /** Frames delivered so far. */
  get framesDelivered(): number {
    return this.delivered;
  }

  /** Stops ffmpeg (idempotent). */
  async close(): Promise<void> {
    await this.handle?.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Frame> {
    if (this.started) throw new Error('FrameDecoder can be iterated only once');
    this.started = true;
    const o = this.options;
    if (o.signal?.aborted) throw new AbortedError();
    const frameBytes = o.width * o.height * 3;
    const argsOptions: DecodeArgsOptions = {
      input: this.input,
      inputFormat: o.inputFormat,
      streamIndex: o.streamIndex,
      scaleTo: o.scale ? { width: o.width, height: o.height } : undefined,
      realtime: o.realtime,
      loop: o.loop,
    };
    const { ffmpeg } = await resolveFfmpeg();
    const handle = spawnChild(ffmpeg, buildDecodeArgs(argsOptions), { stdin: 'ignore', stdout: 'pipe', signal: o.signal, niceness: o.niceness ?? 0 });
    this.handle = handle;
    const reader = new FrameReader(handle.stdout!, frameBytes);
    const fps = o.frameRate.num / o.frameRate.den;
    try {
      for (;;) {
        const chunk = await reader.next();
        if (chunk === null) break;
        if (chunk.length !== frameBytes) {
          // Only at the very end: a partial frame means the pipe was cut (killed decoder).
          if (o.signal?.aborted || handle.closing) throw new AbortedError();
          throw new InputError('E_INPUT_TRUNCATED', `${this.input}: the decoder stopped inside a frame`);
        }
        const index = this.delivered++;
        yield { data: chunk, width: o.width, height: o.height, pts: index / fps, index };
      }
      const exit: ChildExit = await handle.exited;
      if (o.signal?.aborted || handle.closing) throw new AbortedError();
      if (exit.kind === 'failed') {
        throw new InputError('E_INPUT_INVALID', `${this.input} cannot be decoded: ${lastMeaningfulLine(exit.stderrTail)}`, ffmpegError('ffmpeg decoder', exit));
      }
      this.summary = { frames: this.delivered, errors: handle.stderrTail().trim() };
    } finally {
      // Reached on normal end, on error, and when the consumer stops early (return()).
      await handle.close();
    }
  }
}

/** Starts a pull-based decode of `input` (a local file, or a device with inputFormat). */
export function decodeFrames(input: string, options: DecodeFramesOptions): FrameDecoder {
  return new FrameDecoder(input, options);
}
