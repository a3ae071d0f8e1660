/**
 * The pipeline's encode stage: writes each batch's frames to the encoder in order and emits how many
 * frames were accepted, which the file pipeline feeds back to its source as credit (see
 * pull-frames.ts). The ffmpeg process that takes the bytes is src/media/frame-encoder.ts; this operator
 * only knows it as a FrameSink, so it is tested without ffmpeg.
 */
import { concatMap } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { Frame } from '../frame.js';

/** What the operator needs of an encoder (src/media/frame-encoder.ts's FrameEncoder has it). */
export interface FrameSink {
  /** Resolves when the frame's bytes were accepted. */
  write(data: Uint8Array): Promise<void>;
}

export function encodeBatches(sink: FrameSink): OperatorFunction<Frame[], number> {
  return concatMap(async (batch: Frame[]) => {
    for (const frame of batch) await sink.write(frame.data);
    return batch.length;
  });
}
