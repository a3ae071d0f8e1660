/**
 * Decodes a video to rgb24 Frames through an ffmpeg pipe.
 *
 * Why an AsyncIterable and not an Observable: it is pull-based. A frame is read from the pipe only
 * when the consumer asks for the next one (`stream.read(frameBytes)` in paused mode), so when the
 * consumer is slow, Node stops reading, the OS pipe fills, and ffmpeg blocks in write(): the decoder
 * is paused by the pipe's backpressure and memory holds at most ~one frame plus the pipe buffer.
 * The pipeline wraps it in a credit-based Observable (src/pipeline/pull-frames.ts).
 *
 * Breaking out of the loop (or close()) stops ffmpeg; no child outlives the iteration.
 */
import type { Readable } from 'node:stream';
import { AbortedError, InputError } from '../errors.js';
import type { Frame } from '../frame.js';
import { ffmpegError, lastMeaningfulLine, spawnChild } from './child-process.js';
import type { ChildExit, ChildHandle } from './child-process.js';
import { buildDecodeArgs } from './ffmpeg-args.js';
import type { DecodeArgsOptions } from './ffmpeg-args.js';
import { resolveFfmpeg } from './ffmpeg-binary.js';
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

/**
 * Cuts a byte stream into frames of `frameBytes`, reading from it only when a frame is asked for.
 *
 * Built on the stream's own async iterator, not on `read(n)` and 'readable' events: a hand-rolled
 * read(n) loop deadlocked about one run in four in the live server (a 160×120 broadcast decoded at
 * 30 fps): the stream held 2.4 frames, ffmpeg blocked writing into the full pipe, and the 'readable'
 * event the reader waited for never came. The iterator calls read() again after every wake-up, so
 * data already buffered is always taken. Backpressure is kept: between next() calls nothing reads,
 * the stream's buffer fills, Node stops reading the pipe and ffmpeg blocks in write(). A 'readable'
 * listener must stay on the stream for the whole decode: Node's child_process resumes (drains into
 * nowhere) any stdio stream nobody listens to when the child exits, and a slow consumer would lose
 * the frames still in the pipe.
 */
export class FrameReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private done = false;

  constructor(
    stream: Readable,
    private readonly frameBytes: number,
  ) {
    // The iterator's own 'readable' listener only exists from its first next(); this one covers the
    // time before (see above: child_process drains streams nobody listens to).
    stream.on('readable', () => undefined);
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /**
   * The next whole frame, in a buffer of its own; at the end, the shorter remainder (a cut pipe),
   * or null when nothing is left. A stream error (other than its destruction by close()) is thrown.
   */
  async next(): Promise<Buffer | null> {
    while (this.pendingBytes < this.frameBytes && !this.done) {
      let result: IteratorResult<Buffer>;
      try {
        result = await this.chunks.next();
      } catch (err) {
        // close() destroys stdout; the caller tells a deliberate stop from a real failure.
        if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') result = { done: true, value: undefined };
        else throw err;
      }
      if (result.done) this.done = true;
      else {
        this.pending.push(result.value);
        this.pendingBytes += result.value.length;
      }
    }
    if (this.pendingBytes === 0) return null;
    const size = Math.min(this.frameBytes, this.pendingBytes);
    // A fresh buffer per frame: frames outlive the chunk they came in and may be transferred.
    const frame = Buffer.allocUnsafeSlow(size);
    let filled = 0;
    while (filled < size) {
      const head = this.pending[0]!;
      const take = Math.min(head.length, size - filled);
      head.copy(frame, filled, 0, take);
      filled += take;
      if (take === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(take);
    }
    this.pendingBytes -= size;
    return frame;
  }
}
