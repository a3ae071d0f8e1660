import type { Frame } from '../frame.js';

/**
 * Turns frames into anime-style frames. Implementations: ONNX Runtime (default) and TensorFlow.js.
 * Same width/height out as in, any size (the model pads to a multiple of 4 and crops back inside
 * its graph). Output frames keep the input's pts and index.
 */
export interface Stylizer {
  /** Short description for logs and `doctor`, e.g. "onnx/cpu fast (1.08M params)". */
  readonly description: string;
  /** Stylizes a batch. All frames of one call must share width and height. */
  run(frames: Frame[]): Promise<Frame[]>;
  /** Frees the session/tensors. Idempotent. */
  close(): Promise<void>;
  /** Runs it takes at once without serialising them (sessions in worker threads). Absent: 1. */
  readonly concurrency?: number;
  /** Inference workers restarted after they died, for stats. Absent: it runs in this thread. */
  readonly restarts?: number;
}

/** How many runs a Stylizer takes at once: 1 unless it says otherwise. */
export function stylizerConcurrency(stylizer: Stylizer): number {
  const n = stylizer.concurrency;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 1;
}
