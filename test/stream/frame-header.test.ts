import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrameMessage, encodeFrameMessage, FRAME_HEADER_BYTES } from '../../src/stream/frame-header.js';

void test('a frame message round-trips header and payload', () => {
  const payload = new Uint8Array([0xff, 0xd8, 1, 2, 3]);
  const msg = encodeFrameMessage({ codec: 'webp', frameId: 4_000_000_000, captureTs: 1_764_000_000_123.25, width: 640, height: 480, modelUs: 12_345 }, payload);
  assert.equal(msg.length, FRAME_HEADER_BYTES + 5);
  const parsed = decodeFrameMessage(msg);
  assert.ok(parsed);
  assert.deepEqual(parsed.header, { codec: 'webp', frameId: 4_000_000_000, captureTs: 1_764_000_000_123.25, width: 640, height: 480, modelUs: 12_345 });
  assert.deepEqual([...parsed.payload], [...payload]);
});

void test('malformed messages decode to null', () => {
  const good = encodeFrameMessage({ codec: 'jpeg', frameId: 1, captureTs: 1, width: 2, height: 2, modelUs: 0 }, new Uint8Array([1]));
  assert.ok(decodeFrameMessage(good));
  assert.equal(decodeFrameMessage(good.subarray(0, FRAME_HEADER_BYTES)), null, 'no payload');
  assert.equal(decodeFrameMessage(new Uint8Array(100)), null, 'no magic');
  const badCodec = good.slice();
  badCodec[3] = 9;
  assert.equal(decodeFrameMessage(badCodec), null);
  const badVersion = good.slice();
  badVersion[2] = 2;
  assert.equal(decodeFrameMessage(badVersion), null);
  const zeroWidth = good.slice();
  zeroWidth[16] = 0;
  zeroWidth[17] = 0;
  assert.equal(decodeFrameMessage(zeroWidth), null);
  // A header read at an offset inside a larger buffer (ws hands out slices of its buffers).
  const big = new Uint8Array(good.length + 7);
  big.set(good, 7);
  assert.equal(decodeFrameMessage(big.subarray(7))?.header.frameId, 1);
});

void test('out-of-range fields are refused when encoding', () => {
  assert.throws(() => encodeFrameMessage({ codec: 'jpeg', frameId: -1, captureTs: 0, width: 2, height: 2, modelUs: 0 }, new Uint8Array(1)), RangeError);
  assert.throws(() => encodeFrameMessage({ codec: 'jpeg', frameId: 1, captureTs: 0, width: 70_000, height: 2, modelUs: 0 }, new Uint8Array(1)), RangeError);
});
