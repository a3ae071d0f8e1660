/**
 * The binary message of the WebSocket fallback: a 24-byte header, then a JPEG or WebP image.
 *
 *   0  u8[2]  magic "JA"
 *   2  u8     version (1)
 *   3  u8     codec (1 = JPEG, 2 = WebP)
 *   4  u32    frame id (per session, increasing)
 *   8  f64    capture timestamp in the browser's clock (ms); echoed back so the browser measures
 *             end-to-end latency without clock sync
 *  16  u16    width
 *  18  u16    height
 *  20  u32    server model time for this frame in µs (0 on frames from the browser)
 * Little-endian throughout.
 */

export const FRAME_HEADER_BYTES = 24;
const MAGIC0 = 0x4a; // J
const MAGIC1 = 0x41; // A
const VERSION = 1;

export type FrameCodec = 'jpeg' | 'webp';

export interface FrameHeader {
  codec: FrameCodec;
  frameId: number;
  captureTs: number;
  width: number;
  height: number;
  /** Model time in microseconds; 0 from the browser. */
  modelUs: number;
}

const CODEC_BYTE: Record<FrameCodec, number> = { jpeg: 1, webp: 2 };

/** Header + payload in one buffer. Throws RangeError on out-of-range fields. */
export function encodeFrameMessage(header: FrameHeader, payload: Uint8Array): Uint8Array {
  if (!Number.isInteger(header.frameId) || header.frameId < 0 || header.frameId > 0xffffffff) throw new RangeError(`bad frame id ${header.frameId}`);
  if (!Number.isInteger(header.width) || header.width <= 0 || header.width > 0xffff) throw new RangeError(`bad width ${header.width}`);
  if (!Number.isInteger(header.height) || header.height <= 0 || header.height > 0xffff) throw new RangeError(`bad height ${header.height}`);
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  out[0] = MAGIC0;
  out[1] = MAGIC1;
  out[2] = VERSION;
  out[3] = CODEC_BYTE[header.codec];
  view.setUint32(4, header.frameId, true);
  view.setFloat64(8, header.captureTs, true);
  view.setUint16(16, header.width, true);
  view.setUint16(18, header.height, true);
  view.setUint32(20, Math.max(0, Math.min(0xffffffff, Math.round(header.modelUs))), true);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/** Parses a message; null when it is not a well-formed frame message (the caller closes with 1007). */
export function decodeFrameMessage(message: Uint8Array): { header: FrameHeader; payload: Uint8Array } | null {
  if (message.length <= FRAME_HEADER_BYTES) return null;
  if (message[0] !== MAGIC0 || message[1] !== MAGIC1 || message[2] !== VERSION) return null;
  const codecByte = message[3];
  const codec: FrameCodec | null = codecByte === 1 ? 'jpeg' : codecByte === 2 ? 'webp' : null;
  if (codec === null) return null;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const captureTs = view.getFloat64(8, true);
  const width = view.getUint16(16, true);
  const height = view.getUint16(18, true);
  if (!Number.isFinite(captureTs) || width === 0 || height === 0) return null;
  return {
    header: { codec, frameId: view.getUint32(4, true), captureTs, width, height, modelUs: view.getUint32(20, true) },
    payload: message.subarray(FRAME_HEADER_BYTES),
  };
}
