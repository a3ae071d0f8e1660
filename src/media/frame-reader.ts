import type { Readable } from 'node:stream';

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
 *
 * Its own file, apart from the ffmpeg decoder process (decode-frames.ts), so the framing and its
 * backpressure are tested on plain streams (test/media/frame-reader.test.ts).
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
