/**
 * Packing frames into one NHWC uint8 batch and back. Pure: both engines use it, so the batch layout
 * and the checks (same size in one batch, rgb24 length) live in one place.
 */
import { assertFrame, type Frame } from '../frame.js';

export interface FrameBatch {
  /** n*height*width*3 bytes, the frames one after the other (already NHWC rgb24). */
  data: Uint8Array;
  n: number;
  height: number;
  width: number;
}

/** Concatenates frames of one size; a single frame's buffer is used as is (no copy). */
export function packFrames(frames: readonly Frame[]): FrameBatch {
  const first = frames[0];
  if (!first) throw new RangeError('packFrames: empty batch');
  for (const f of frames) {
    assertFrame(f);
    if (f.width !== first.width || f.height !== first.height) {
      throw new RangeError(`one batch must share its size: frame ${f.index} is ${f.width}x${f.height}, frame ${first.index} is ${first.width}x${first.height}`);
    }
  }
  const frameBytes = first.width * first.height * 3;
  let data: Uint8Array;
  if (frames.length === 1) data = first.data;
  else {
    data = new Uint8Array(frameBytes * frames.length);
    frames.forEach((f, i) => data.set(f.data, i * frameBytes));
  }
  return { data, n: frames.length, height: first.height, width: first.width };
}

/** Splits a batch output back into frames carrying the inputs' size, pts and index. */
export function unpackFrames(output: Uint8Array, inputs: readonly Frame[]): Frame[] {
  const first = inputs[0];
  if (!first) return [];
  const frameBytes = first.width * first.height * 3;
  if (output.length !== frameBytes * inputs.length) {
    throw new RangeError(`unpackFrames: ${output.length} bytes for ${inputs.length} frames of ${first.width}x${first.height}`);
  }
  return inputs.map((f, i) => ({
    // A copy per frame so that one frame's buffer does not keep the whole batch alive.
    data: output.slice(i * frameBytes, (i + 1) * frameBytes),
    width: f.width,
    height: f.height,
    pts: f.pts,
    index: f.index,
  }));
}
