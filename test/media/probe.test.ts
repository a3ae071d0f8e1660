import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { mediaInfoFromProbe, normaliseRotation, parseRational, probeMedia } from '../../src/media/probe.js';
import { runFfmpeg } from '../../src/media/child-process.js';
import { makeClip, tempDir } from './make-clip.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
before(async () => {
  ({ dir, cleanup } = await tempDir());
});
after(() => cleanup());

void test('parseRational and normaliseRotation', () => {
  assert.deepEqual(parseRational('30000/1001'), { num: 30000, den: 1001 });
  assert.deepEqual(parseRational('50/2'), { num: 25, den: 1 });
  assert.deepEqual(parseRational('24'), { num: 24, den: 1 });
  assert.equal(parseRational('0/0'), undefined);
  assert.equal(parseRational('abc'), undefined);
  assert.equal(normaliseRotation(-90), 90);
  assert.equal(normaliseRotation(90), 270);
  assert.equal(normaliseRotation(180), 180);
  assert.equal(normaliseRotation(-180), 180);
  assert.equal(normaliseRotation(0), 0);
});

void test('a clip with audio: size, rational rate, frames, duration, audio stream', async () => {
  const file = await makeClip(path.join(dir, 'a.mp4'), { width: 64, height: 48, rate: '30000/1001', frames: 12 });
  const info = await probeMedia(file);
  assert.equal(info.width, 64);
  assert.equal(info.height, 48);
  assert.deepEqual(info.frameRate, { num: 30000, den: 1001 });
  assert.equal(info.frameCount, 12);
  assert.equal(info.frameCountExact, true);
  assert.ok(Math.abs(info.duration - 12 / (30000 / 1001)) < 0.05, `duration ${info.duration}`);
  assert.equal(info.rotation, 0);
  assert.equal(info.videoCodec, 'h264');
  assert.equal(info.audio.length, 1);
  assert.equal(info.audio[0]?.codec, 'aac');
  assert.equal(info.audio[0]?.sampleRate, 48000);
  assert.match(info.formatName, /mp4/);
});

void test('rotation metadata swaps the display size', async () => {
  const file = await makeClip(path.join(dir, 'rot.mp4'), { width: 64, height: 48, rotate: 90, audio: null });
  const info = await probeMedia(file);
  // The legacy tag rotate=90 is a 90° counter-clockwise display matrix (ffprobe: rotation=90), i.e. 270° clockwise.
  assert.equal(info.rotation, 270);
  assert.equal(info.codedWidth, 64);
  assert.equal(info.width, 48);
  assert.equal(info.height, 64);
  assert.equal(info.audio.length, 0);
});

void test('bad inputs are one-line InputErrors with the right code', async () => {
  const text = path.join(dir, 'notes.txt');
  await writeFile(text, 'hello, not a video\n');
  const empty = path.join(dir, 'empty.mp4');
  await writeFile(empty, '');
  const random = path.join(dir, 'random.mp4');
  await writeFile(random, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
  const audioOnly = path.join(dir, 'tone.m4a');
  await runFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=0.5', '-c:a', 'aac', '-y', audioOnly]);
  const cases: Array<[string, string, RegExp]> = [
    [path.join(dir, 'missing.mp4'), 'E_INPUT_MISSING', /does not exist/],
    [text, 'E_INPUT_INVALID', /not a video/],
    [empty, 'E_INPUT_INVALID', /empty/],
    [random, 'E_INPUT_INVALID', /not a video/],
    [audioOnly, 'E_INPUT_INVALID', /audio but no video/],
    [dir, 'E_INPUT_INVALID', /folder/],
  ];
  for (const [file, code, message] of cases) {
    await assert.rejects(probeMedia(file), (err: unknown) => {
      assert.ok(err instanceof InputError, `${file}: ${String(err)}`);
      assert.equal(err.code, code, file);
      assert.match(err.message, message);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  }
});

void test('an MP4 cut before its index is reported as truncated', async () => {
  const file = await makeClip(path.join(dir, 'whole.mp4'), { frames: 20 });
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(file);
  const cut = path.join(dir, 'cut.mp4');
  await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await assert.rejects(probeMedia(cut), (err: unknown) => err instanceof InputError && err.code === 'E_INPUT_TRUNCATED');
});

void test('mediaInfoFromProbe: cover art is not a video; estimated frame count when the header has none', () => {
  assert.throws(
    () => mediaInfoFromProbe('song.mp3', { streams: [{ index: 0, codec_type: 'audio', codec_name: 'mp3' }, { index: 1, codec_type: 'video', width: 300, height: 300, disposition: { attached_pic: 1 }, avg_frame_rate: '0/0', r_frame_rate: '90000/1' }] }),
    /audio but no video/,
  );
  const info = mediaInfoFromProbe('x.mkv', { streams: [{ index: 0, codec_type: 'video', codec_name: 'vp9', width: 64, height: 48, avg_frame_rate: '25/1', side_data_list: [{ rotation: -90 }] }], format: { duration: '2.000', format_name: 'matroska,webm' } });
  assert.equal(info.frameCount, 50);
  assert.equal(info.frameCountExact, false);
  assert.equal(info.rotation, 90);
  assert.equal(info.width, 48);
  assert.deepEqual(info.otherStreams, []);
  // Subtitles, data and cover art are listed as streams a conversion leaves out.
  const many = mediaInfoFromProbe('x.mp4', {
    streams: [
      { index: 0, codec_type: 'video', codec_name: 'h264', width: 64, height: 48, avg_frame_rate: '25/1' },
      { index: 1, codec_type: 'audio', codec_name: 'aac' },
      { index: 2, codec_type: 'subtitle', codec_name: 'mov_text' },
      { index: 3, codec_type: 'data', codec_name: 'bin_data' },
      { index: 4, codec_type: 'video', codec_name: 'mjpeg', width: 300, height: 300, disposition: { attached_pic: 1 } },
    ],
    format: { duration: '1.000' },
  });
  assert.equal(many.videoStreamIndex, 0);
  assert.deepEqual(many.otherStreams, [{ index: 2, type: 'subtitle', codec: 'mov_text' }, { index: 3, type: 'data', codec: 'bin_data' }, { index: 4, type: 'video', codec: 'mjpeg' }]);
});

void test('a local playlist pointing at a network URL is refused (protocol whitelist)', async () => {
  const playlist = path.join(dir, 'remote.m3u8');
  await writeFile(playlist, '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nhttp://127.0.0.1:9/segment.ts\n#EXT-X-ENDLIST\n');
  await assert.rejects(probeMedia(playlist), (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.code, 'E_INPUT_INVALID');
    assert.match(err.message, /non-local data|not a video/);
    assert.match(String((err.cause as { stderrTail?: string } | undefined)?.stderrTail), /not on whitelist/);
    return true;
  });
});
