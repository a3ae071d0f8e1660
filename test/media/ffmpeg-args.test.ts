import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  audioCopyAllowed,
  buildDecodeArgs,
  buildEncodeArgs,
  codecAllowed,
  defaultCodec,
  fitMaxSide,
  inputUrl,
  muxerForPath,
  PROTOCOL_WHITELIST,
} from '../../src/media/ffmpeg-args.js';

function after(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

void test('decode args: local file behind the protocol whitelist, rgb24 rawvideo on stdout, no frame dropped', () => {
  const args = buildDecodeArgs({ input: 'concat:a.mp4|b.mp4', streamIndex: 2 });
  assert.equal(after(args, '-protocol_whitelist'), 'file,pipe');
  // The path is a literal file name: the `concat:` protocol can never be reached.
  assert.equal(after(args, '-i'), 'file:concat:a.mp4|b.mp4');
  assert.ok(args.indexOf('-protocol_whitelist') < args.indexOf('-i'), 'whitelist is an input option, so it comes before -i');
  assert.equal(after(args, '-map'), '0:2');
  assert.equal(after(args, '-vsync'), 'passthrough');
  assert.equal(after(args, '-pix_fmt'), 'rgb24');
  assert.equal(after(args, '-f'), 'rawvideo');
  assert.equal(args.at(-1), 'pipe:1');
  assert.ok(args.includes('-nostdin'));
  assert.ok(!args.includes('-vf'), 'no scale when no size asked');
  assert.ok(args.includes('-an'));
});

void test('decode args: scale, realtime, loop and a forced device format', () => {
  const args = buildDecodeArgs({ input: '/dev/video0', inputFormat: 'v4l2', scaleTo: { width: 320, height: 180 }, realtime: true, loop: true });
  assert.equal(after(args, '-vf'), 'scale=320:180:flags=area');
  assert.deepEqual(args.slice(args.indexOf('-f'), args.indexOf('-f') + 4), ['-f', 'v4l2', '-i', '/dev/video0']);
  assert.ok(args.indexOf('-re') < args.indexOf('-i'));
  assert.equal(after(args, '-stream_loop'), '-1');
  assert.equal(after(args, '-map'), '0:v:0');
});

void test('encode args: h264 from an rgb24 pipe with audio copied from the source', () => {
  const args = buildEncodeArgs({
    frameWidth: 64,
    frameHeight: 48,
    outputWidth: 64,
    outputHeight: 48,
    frameRate: { num: 30000, den: 1001 },
    audioSource: '/videos/in.mp4',
    audio: { kind: 'copy', streams: [1, 3] },
    crf: 18,
    preset: 'fast',
    muxer: 'mp4',
    output: '/out/.x.partial',
  });
  assert.deepEqual(args.slice(args.indexOf('-f'), args.indexOf('pipe:0') + 1), [
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '64x48', '-framerate', '30000/1001', '-i', 'pipe:0',
  ]);
  const second = args.lastIndexOf('-i');
  assert.equal(args[second + 1], 'file:/videos/in.mp4');
  assert.equal(args[second - 1], PROTOCOL_WHITELIST);
  assert.deepEqual(args.filter((_, i) => args[i - 1] === '-map'), ['0:v:0', '1:1', '1:3']);
  assert.equal(after(args, '-c:v'), 'libx264');
  assert.equal(after(args, '-crf'), '18');
  assert.equal(after(args, '-preset'), 'fast');
  assert.equal(after(args, '-pix_fmt', ), 'rgb24');
  assert.equal(args[args.lastIndexOf('-pix_fmt') + 1], 'yuv420p');
  assert.equal(after(args, '-c:a'), 'copy');
  assert.equal(after(args, '-movflags'), '+faststart');
  assert.ok(!args.includes('-vf'));
  assert.deepEqual(args.slice(-4), ['-f', 'mp4', '-y', 'file:/out/.x.partial']);
});

void test('encode args: scaling back to the source size, odd sizes in 4:4:4, vp9 and re-encoded audio', () => {
  const args = buildEncodeArgs({
    frameWidth: 32,
    frameHeight: 24,
    outputWidth: 65,
    outputHeight: 49,
    frameRate: { num: 25, den: 1 },
    audioSource: 'in.mkv',
    audio: { kind: 'reencode', streams: [1], codec: 'libopus' },
    codec: 'vp9',
    preset: 'ultrafast',
    muxer: 'webm',
    output: 'o.webm',
  });
  assert.equal(after(args, '-vf'), 'scale=65:49:flags=bicubic');
  assert.equal(after(args, '-c:v'), 'libvpx-vp9');
  assert.equal(after(args, '-b:v'), '0');
  assert.equal(after(args, '-crf'), '32');
  assert.equal(after(args, '-deadline'), 'realtime');
  assert.equal(args[args.lastIndexOf('-pix_fmt') + 1], 'yuv444p');
  assert.equal(after(args, '-c:a'), 'libopus');
  assert.ok(!args.includes('-movflags'));
});

void test('encode args: no audio source means no second input and no audio map', () => {
  const args = buildEncodeArgs({ frameWidth: 8, frameHeight: 8, outputWidth: 8, outputHeight: 8, frameRate: { num: 10, den: 1 }, muxer: 'matroska', output: 'o.mkv' });
  assert.equal(args.filter((a) => a === '-i').length, 1);
  assert.ok(!args.includes('-c:a'));
  assert.equal(after(args, '-crf'), '20');
});

void test('inputUrl always prefixes file:', () => {
  assert.equal(inputUrl('http://example.com/x.mp4'), 'file:http://example.com/x.mp4');
  assert.equal(inputUrl('subfile:,,start,0,end,10,,:/etc/passwd'), 'file:subfile:,,start,0,end,10,,:/etc/passwd');
});

void test('containers, codecs and audio copy rules', () => {
  assert.equal(muxerForPath('a/b.MP4'), 'mp4');
  assert.equal(muxerForPath('x.mkv'), 'matroska');
  assert.equal(muxerForPath('x.webm'), 'webm');
  assert.throws(() => muxerForPath('x.avi'), /\.avi/);
  assert.throws(() => muxerForPath('noext'), /E_USAGE|name the output/);
  assert.equal(defaultCodec('webm'), 'vp9');
  assert.equal(defaultCodec('mp4'), 'h264');
  assert.equal(codecAllowed('webm', 'h264'), false);
  assert.equal(codecAllowed('matroska', 'vp9'), true);
  assert.equal(audioCopyAllowed('mp4', 'aac'), true);
  assert.equal(audioCopyAllowed('mp4', 'vorbis'), false);
  assert.equal(audioCopyAllowed('webm', 'aac'), false);
  assert.equal(audioCopyAllowed('matroska', 'pcm_s16le'), true);
});

void test('fitMaxSide keeps aspect and never upsizes', () => {
  assert.deepEqual(fitMaxSide(1920, 1080, 640), { width: 640, height: 360 });
  assert.deepEqual(fitMaxSide(1080, 1920, 640), { width: 360, height: 640 });
  assert.deepEqual(fitMaxSide(320, 240, 640), { width: 320, height: 240 });
  assert.deepEqual(fitMaxSide(320, 240, undefined), { width: 320, height: 240 });
  assert.deepEqual(fitMaxSide(1000, 3, 100), { width: 100, height: 2 });
});
