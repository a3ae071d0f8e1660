/**
 * The ffmpeg encoder process: encodes rgb24 frames written to its pipe into a video file, with the
 * source's audio mapped in by the argument builder. (The pipeline stage that feeds it batches is
 * src/pipeline/encode-batches.ts.) `write()` resolves when the pipe has accepted the bytes (it waits for
 * 'drain'), so a slow encoder slows the writer instead of growing a buffer.
 */
import { AbortedError } from '../errors.js';
import { ffmpegError, spawnChild } from './child-process.js';
import type { ChildExit, ChildHandle } from './child-process.js';
import { buildEncodeArgs } from './ffmpeg-args.js';
import type { EncodeArgsOptions } from './ffmpeg-args.js';
import { resolveFfmpeg } from './ffmpeg-binary.js';

export interface FrameEncoderOptions extends EncodeArgsOptions {
  /** Stops the encoder; write()/finish() then throw AbortedError. Default: none. */
  signal?: AbortSignal;
  /** Scheduling niceness of the ffmpeg process (see SpawnChildOptions.niceness). Default: 0. */
  niceness?: number;
}

export class FrameEncoder {
  private written = 0;
  private failure: Error | undefined;
  private finishing = false;

  private constructor(
    private readonly handle: ChildHandle,
    private readonly frameBytes: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    // If ffmpeg dies early, remember why so the next write fails with ffmpeg's own message.
    void handle.exited.then((exit) => {
      if (exit.kind === 'failed') this.failure = this.errorFor(exit);
      else if (!this.finishing) this.failure = new Error('the encoder exited before all frames were written');
    });
  }

  /** Starts ffmpeg. */
  static async start(options: FrameEncoderOptions): Promise<FrameEncoder> {
    if (options.signal?.aborted) throw new AbortedError();
    const { ffmpeg } = await resolveFfmpeg();
    const handle = spawnChild(ffmpeg, buildEncodeArgs(options), { stdin: 'pipe', stdout: 'ignore', signal: options.signal, niceness: options.niceness ?? 0 });
    return new FrameEncoder(handle, options.frameWidth * options.frameHeight * 3, options.signal);
  }

  /** Frames accepted so far. */
  get framesWritten(): number {
    return this.written;
  }

  private errorFor(exit: Extract<ChildExit, { kind: 'failed' }>): Error {
    if (this.signal?.aborted || this.handle.closing) return new AbortedError();
    return ffmpegError('ffmpeg encoder', exit);
  }

  /** Writes one frame's bytes; resolves once the pipe has taken them. */
  async write(data: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.signal?.aborted) throw new AbortedError();
    if (data.length !== this.frameBytes) throw new RangeError(`encoder got ${data.length} bytes, expected ${this.frameBytes}`);
    const stdin = this.handle.stdin!;
    const ok = stdin.write(data);
    this.written += 1;
    if (ok) return;
    await new Promise<void>((resolve, reject) => {
      const onDrain = (): void => {
        done();
        resolve();
      };
      const onExit = (exit: ChildExit): void => {
        done();
        reject(exit.kind === 'failed' ? this.errorFor(exit) : new Error('the encoder exited before all frames were written'));
      };
      let settled = false;
      const done = (): void => {
        settled = true;
        stdin.off('drain', onDrain);
      };
      stdin.once('drain', onDrain);
      void this.handle.exited.then((exit) => {
        if (!settled) onExit(exit);
      });
    });
  }

  /** Closes stdin and waits for ffmpeg to finish the file; throws FfmpegError or AbortedError. */
  async finish(): Promise<void> {
    this.finishing = true;
    if (this.failure) throw this.failure;
    this.handle.stdin!.end();
    const exit = await this.handle.exited;
    if (exit.kind === 'failed') throw this.errorFor(exit);
    if (this.signal?.aborted) throw new AbortedError();
  }

  /** Kills ffmpeg (idempotent); the caller deletes the partial file. */
  async close(): Promise<void> {
    await this.handle.close();
  }
}
