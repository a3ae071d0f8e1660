/**
 * FrameReader cuts a byte stream into whole frames and reads only when asked (backpressure). The
 * integration tests in decode-frames.test.ts cover it behind ffmpeg; these pin the framing and the
 * pull behaviour on plain Node streams, where chunk sizes and timing are under the test's control.
 */
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { FrameReader } from '../../src/media/frame-reader.js';

/** Frame i is filled with the byte i (mod 256), so a frame cut in the wrong place is seen at once. */
function frameBytes(i: number, size: number): Buffer {
  return Buffer.alloc(size, i % 256);
}

void test('frames are reassembled exactly from chunks of any size; the cut remainder comes last', async () => {
  const size = 1000;
  const whole = Buffer.concat([...Array.from({ length: 7 }, (_, i) => frameBytes(i, size)), Buffer.alloc(123, 0xee)]);
  // Chunk sizes smaller than, equal to and larger than a frame, across frame boundaries.
  const cuts = [1, 999, 1000, 1, 2500, 37, 1463, 1122];
  assert.equal(cuts.reduce((a, b) => a + b, 0), whole.length);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const n of cuts) {
    chunks.push(whole.subarray(at, at + n));
    at += n;
  }
  const reader = new FrameReader(Readable.from(chunks), size);
  for (let i = 0; i < 7; i++) {
    const frame = await reader.next();
    assert.ok(frame);
    assert.deepEqual(frame, frameBytes(i, size), `frame ${i}`);
  }
  const rest = await reader.next();
  assert.deepEqual(rest, Buffer.alloc(123, 0xee));
  assert.equal(await reader.next(), null);
  assert.equal(await reader.next(), null);
});

void test('each frame owns its memory: later frames never overwrite an earlier one', async () => {
  const size = 64;
  const one = Buffer.concat([frameBytes(1, size), frameBytes(2, size)]);
  const reader = new FrameReader(Readable.from([one]), size);
  const a = await reader.next();
  const b = await reader.next();
  assert.ok(a && b);
  assert.notEqual(a.buffer, b.buffer);
  assert.equal(a.byteOffset, 0);
  assert.equal(a.buffer.byteLength, size);
  assert.deepEqual(a, frameBytes(1, size));
});

void test('nothing is read ahead while the consumer waits: the producer sees backpressure', async () => {
  const size = 4096;
  const stream = new PassThrough({ highWaterMark: 2 * size });
  const reader = new FrameReader(stream, size);
  // The producer writes as fast as the stream lets it and records how far it got.
  let written = 0;
  let stopped = false;
  const producer = (async () => {
    while (!stopped && written < 200) {
      const ok = stream.write(frameBytes(written, size));
      written += 1;
      if (!ok) await new Promise((r) => stream.once('drain', r));
    }
    stream.end();
  })();
  const first = await reader.next();
  assert.deepEqual(first, frameBytes(0, size));
  await new Promise((r) => setTimeout(r, 100));
  // Without backpressure all 200 frames would be written by now.
  assert.ok(written < 10, `the producer wrote ${written} frames while the consumer held one`);
  // Then every frame arrives, in order, once the consumer reads on.
  for (let i = 1; i < 200; i++) assert.deepEqual(await reader.next(), frameBytes(i, size), `frame ${i}`);
  assert.equal(await reader.next(), null);
  stopped = true;
  await producer;
});

void test('a stream error reaches the caller; a destroyed stream ends the frames', async () => {
  const failing = new Readable({ read() {} });
  const reader = new FrameReader(failing, 10);
  const pending = reader.next();
  failing.destroy(new Error('pipe broke'));
  await assert.rejects(pending, /pipe broke/);

  const destroyed = new Readable({ read() {} });
  const reader2 = new FrameReader(destroyed, 10);
  destroyed.push(Buffer.alloc(4, 1));
  const p2 = reader2.next();
  destroyed.destroy();
  // close() destroys stdout on purpose; the caller tells a stop from a failure by the exit.
  assert.deepEqual(await p2, Buffer.alloc(4, 1));
  assert.equal(await reader2.next(), null);
});
