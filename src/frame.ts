/**
 * The one frame type every stage passes on. Pixels are rgb24, row-major, exactly as ffmpeg's
 * `-pix_fmt rgb24` pipe delivers them and as the ONNX model package takes them, so no stage
 * reorders or rescales bytes in JavaScript.
 */
export interface Frame {
  /** rgb24 pixels, row-major, length width*height*3. */
  data: Uint8Array;
  width: number;
  height: number;
  /** Presentation time in seconds from the start of the stream. */
  pts: number;
  /** 0-based position of the frame in its stream. */
  index: number;
}

/** Checks the invariant data.length === width*height*3; throws a RangeError otherwise. */
export function assertFrame(frame: Frame): void {
  const expected = frame.width * frame.height * 3;
  if (!Number.isInteger(frame.width) || !Number.isInteger(frame.height) || frame.width <= 0 || frame.height <= 0) {
    throw new RangeError(`frame ${frame.index}: bad size ${frame.width}x${frame.height}`);
  }
  if (frame.data.length !== expected) {
    throw new RangeError(`frame ${frame.index}: ${frame.data.length} bytes, expected ${expected} for ${frame.width}x${frame.height} rgb24`);
  }
}
