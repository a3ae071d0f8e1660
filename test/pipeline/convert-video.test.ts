/**
 * Integration: real ffmpeg + real ONNX Runtime on a random-weight `fast` package, tiny generated
 * clips with audio. Each conversion checks frame count in = out, size, rate, duration within a
 * frame, audio packets bit-exact, and that nothing but the output is left in the folder.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createStylizer } from '../../src/engine/create-stylizer.js';
import type { Stylizer } from '../../src/engine/stylizer.js';
import { cliMessage } from '../../src/cli/option-flags.js';
import { AbortedError, JapananimeError } from '../../src/errors.js';
import { runFfmpeg, runFfprobeJson } from '../../src/media/child-process.js';
import { decodeFrames } from '../../src/media/decode-frames.js';
import { probeMedia } from '../../src/media/probe.js';
import { convertVideo, planAudio } from '../../src/pipeline/convert-video.js';
import type { ConvertVideoOptions } from '../../src/pipeline/convert-video.js';
import { makeClip, tempDir } from '../media/make-clip.js';
import { saveRandomModel } from './random-model.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let stylizer: Stylizer;
before(async () => {
  ({ dir, cleanup } = await tempDir());
  stylizer = await createStylizer({ model: await saveRandomModel(dir), threads: 1 });
});
after(async () => {
  await stylizer.close();
  await cleanup();
});

/** md5 of a stream's packets, copied (not decoded): equal only if the packets are bit-identical. */
async function packetMd5(file: string, stream: 'a' | 'v'): Promise<string> {
  const out = `${file}.${stream}.md5`;
  await runFfmpeg(['-v', 'error', '-i', file, '-map', `0:${stream}`, '-c', 'copy', '-f', 'md5', '-y', out]);
  const text = (await readFile(out, 'utf8')).trim();
  await import('node:fs/promises').then((fs) => fs.rm(out));
  return text;
}

interface StreamJson {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  r_frame_rate: string;
  nb_read_frames?: string;
  duration?: string;
  side_data_list?: unknown[];
}
async function streams(file: string): Promise<StreamJson[]> {
  const json = (await runFfprobeJson(['-count_frames', '-show_streams', file])) as { streams: StreamJson[] };
  return json.streams;
}

/** Files in a folder that are neither inputs nor outputs we expect (e.g. a leftover .partial). */
async function leftovers(folder: string, expected: string[]): Promise<string[]> {
  return (await readdir(folder)).filter((f) => !expected.includes(f) && !f.startsWith('random-'));
}

function ffmpegChildren(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), 'ffmpeg'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function checkConversion(input: string, output: string, extra: Partial<ConvertVideoOptions> = {}) {
  const result = await convertVideo({ input, output, stylizer, preset: 'ultrafast', ...extra });
  const inInfo = await probeMedia(input);
  const inStreams = await streams(input);
  const outStreams = await streams(output);
  const vin = inStreams.find((s) => s.codec_type === 'video')!;
  const vout = outStreams.find((s) => s.codec_type === 'video')!;
  assert.equal(vout.nb_read_frames, vin.nb_read_frames, 'frame count in = out');
  assert.equal(result.frames, Number(vin.nb_read_frames));
  assert.equal(vout.width, inInfo.width);
  assert.equal(vout.height, inInfo.height);
  assert.equal(vout.r_frame_rate, `${inInfo.frameRate.num}/${inInfo.frameRate.den}`);
  const frameS = inInfo.frameRate.den / inInfo.frameRate.num;
  const outInfo = await probeMedia(output);
  // Matroska/WebM keep no per-stream duration; the container duration below covers them.
  if (vout.duration !== undefined) assert.ok(Math.abs(Number(vout.duration) - result.frames * frameS) <= frameS + 1e-6, `video duration ${vout.duration}`);
  assert.ok(Math.abs(outInfo.duration - inInfo.duration) <= frameS + 1e-6, `duration ${outInfo.duration} vs ${inInfo.duration}`);
  assert.equal(outInfo.rotation, 0, 'output frames are upright, no rotation left to apply');
  return { result, inInfo, outInfo, inStreams, outStreams };
}

void test('mp4 with AAC: every frame stylized, size/rate/duration kept, audio packets bit-exact', async () => {
  const input = await makeClip(path.join(dir, 'clip.mp4'), { width: 64, height: 48, frames: 10 });
  const output = path.join(dir, 'clip-anime.mp4');
  // Count what the real model saw: every frame, once, in order.
  const seen: number[] = [];
  const counting: Stylizer = {
    description: stylizer.description,
    run: (frames) => {
      seen.push(...frames.map((f) => f.index));
      return stylizer.run(frames);
    },
    close: async () => undefined,
  };
  const { result, outStreams } = await checkConversion(input, output, { stylizer: counting, batch: 4 });
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(result.audio, 'copy');
  assert.equal(result.codec, 'h264');
  assert.deepEqual(result.warnings, []);
  assert.equal(outStreams.find((s) => s.codec_type === 'audio')?.codec_name, 'aac');
  assert.equal(await packetMd5(output, 'a'), await packetMd5(input, 'a'));
  assert.deepEqual(await leftovers(dir, ['clip.mp4', 'clip-anime.mp4']), []);
});

void test('odd size, NTSC rate, rotation metadata and --max-side', async () => {
  const odd = await makeClip(path.join(dir, 'odd.mp4'), { width: 65, height: 49, rate: '30000/1001', frames: 12 });
  const r1 = await checkConversion(odd, path.join(dir, 'odd-out.mp4'));
  assert.equal(r1.result.frames, 12);
  assert.equal(await packetMd5(path.join(dir, 'odd-out.mp4'), 'a'), await packetMd5(odd, 'a'));

  const rotated = await makeClip(path.join(dir, 'rot.mp4'), { width: 64, height: 48, rotate: 90, frames: 6 });
  const r2 = await checkConversion(rotated, path.join(dir, 'rot-out.mp4'));
  assert.equal(r2.outInfo.width, 48);
  assert.equal(r2.outInfo.height, 64);

  const big = await makeClip(path.join(dir, 'big.mp4'), { width: 128, height: 96, frames: 5 });
  const r3 = await checkConversion(big, path.join(dir, 'big-out.mp4'), { maxSide: 64, batch: 2 });
  assert.equal(r3.result.modelWidth, 64);
  assert.equal(r3.result.modelHeight, 48);
  assert.equal(r3.outInfo.width, 128);
});

void test('vp9 into webm: AAC cannot be copied there, so it is re-encoded to Opus with a warning; mkv copies', async () => {
  const input = await makeClip(path.join(dir, 'clip3.mp4'), { width: 64, height: 48, frames: 8 });
  const warnings: string[] = [];
  const { result, outStreams } = await checkConversion(input, path.join(dir, 'clip.webm'), { onWarning: (w) => warnings.push(w) });
  assert.equal(result.codec, 'vp9');
  assert.equal(result.audio, 'reencode');
  assert.match(warnings[0] ?? '', /re-encoding it to Opus/);
  assert.equal(outStreams.find((s) => s.codec_type === 'video')?.codec_name, 'vp9');
  assert.equal(outStreams.find((s) => s.codec_type === 'audio')?.codec_name, 'opus');

  const mkv = await checkConversion(input, path.join(dir, 'clip.mkv'), { codec: 'vp9', crf: 40 });
  assert.equal(mkv.result.audio, 'copy');
  assert.equal(await packetMd5(path.join(dir, 'clip.mkv'), 'a'), await packetMd5(input, 'a'));
});

void test('a subtitle stream is named in a warning and left out; video and audio convert as usual', async () => {
  const clip = await makeClip(path.join(dir, 'clip-subs.mp4'), { width: 64, height: 48, frames: 8 });
  const srt = path.join(dir, 'subs.srt');
  await writeFile(srt, '1\n00:00:00,000 --> 00:00:00,500\nこんにちは\n');
  const input = path.join(dir, 'with-subs.mkv');
  await runFfmpeg(['-v', 'error', '-i', clip, '-i', srt, '-map', '0', '-map', '1', '-c', 'copy', '-c:s', 'srt', '-y', input]);
  const warnings: string[] = [];
  const { result, outStreams } = await checkConversion(input, path.join(dir, 'with-subs-out.mkv'), { onWarning: (w) => warnings.push(w) });
  assert.equal(result.audio, 'copy');
  assert.deepEqual(outStreams.map((s) => s.codec_type).sort(), ['audio', 'video']);
  assert.deepEqual(warnings, ['stream #2 subtitle (subrip) is not carried over: the output holds the stylized video and the audio']);
});

void test('without a stylizer: the model is loaded from --model, frames larger than --tile are tiled', async () => {
  const input = await makeClip(path.join(dir, 'tiled.mp4'), { width: 160, height: 96, frames: 3 });
  const { result } = await checkConversion(input, path.join(dir, 'tiled-out.mp4'), { stylizer: undefined, model: path.join(dir, 'random-fast'), threads: 1, tile: 64 });
  assert.equal(result.frames, 3);
  assert.equal(result.audio, 'copy');
  // The library names the option; the CLI's one mapping prints the flag.
  await assert.rejects(convertVideo({ input, output: path.join(dir, 'x.mp4'), model: path.join(dir, 'random-fast'), tile: 8 }), (err: unknown) => err instanceof Error && /^tile must be an integer ≥ 64/.test(err.message) && /--tile must be an integer ≥ 64/.test(cliMessage(err)));
});

void test('without a stylizer: two sessions in worker threads write the same video as one session', async () => {
  const input = await makeClip(path.join(dir, 'two-sessions.mp4'), { width: 64, height: 48, frames: 10 });
  const model = path.join(dir, 'random-fast');
  const one = await checkConversion(input, path.join(dir, 'one-session-out.mp4'), { stylizer: undefined, model, workers: 1, threads: 1, batch: 2 });
  const two = await checkConversion(input, path.join(dir, 'two-sessions-out.mp4'), { stylizer: undefined, model, workers: 2, threads: 1, batch: 2 });
  assert.equal(two.result.frames, 10);
  assert.equal(one.result.audio, 'copy');
  // Five batches over two sessions come back in order: each frame matches the one-session frame of
  // the same index (up to float rounding: one session runs the tiling graph, the two the plain
  // one), and not its neighbours (the clip moves, so a swap would show).
  const decoded = async (file: string): Promise<Uint8Array[]> => {
    const info = await probeMedia(file);
    const out: Uint8Array[] = [];
    for await (const f of decodeFrames(file, { width: info.width, height: info.height, frameRate: info.frameRate, streamIndex: info.videoStreamIndex })) out.push(f.data);
    return out;
  };
  const a = await decoded(path.join(dir, 'one-session-out.mp4'));
  const b = await decoded(path.join(dir, 'two-sessions-out.mp4'));
  const mad = (x: Uint8Array, y: Uint8Array): number => x.reduce((sum, v, i) => sum + Math.abs(v - y[i]!), 0) / x.length;
  assert.equal(b.length, 10);
  for (let i = 0; i < 10; i++) {
    assert.ok(mad(a[i]!, b[i]!) < 0.1, `frame ${i}: ${mad(a[i]!, b[i]!)}`);
    if (i > 0) assert.ok(mad(a[i - 1]!, b[i]!) > 0.5, `frame ${i} looks like frame ${i - 1}`);
  }
});

void test('a clip without audio converts to a video without audio', async () => {
  const input = await makeClip(path.join(dir, 'silent.mp4'), { frames: 4, audio: null });
  const { result, outStreams } = await checkConversion(input, path.join(dir, 'silent-out.mp4'));
  assert.equal(result.audio, 'none');
  assert.equal(outStreams.length, 1);
});

void test('bad inputs and outputs: one-line typed error, nothing left behind', async () => {
  const bad = path.join(dir, 'bad');
  await import('node:fs/promises').then((fs) => fs.mkdir(bad));
  await writeFile(path.join(bad, 'notes.txt'), 'not a video\n');
  await writeFile(path.join(bad, 'empty.mp4'), '');
  await writeFile(path.join(bad, 'random.mp4'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 256)));
  await runFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=0.3', '-c:a', 'aac', '-y', path.join(bad, 'tone.m4a')]);
  const whole = await makeClip(path.join(bad, 'whole.mp4'), { frames: 20, faststart: true });
  const bytes = await readFile(whole);
  await writeFile(path.join(bad, 'cut.mp4'), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const inputs = ['notes.txt', 'empty.mp4', 'random.mp4', 'tone.m4a', 'whole.mp4', 'cut.mp4'];
  const cases: Array<[string, string, string, RegExp]> = [
    ['missing.mp4', 'out.mp4', 'E_INPUT_MISSING', /does not exist/],
    ['notes.txt', 'out.mp4', 'E_INPUT_INVALID', /not a video/],
    ['empty.mp4', 'out.mp4', 'E_INPUT_INVALID', /empty/],
    ['random.mp4', 'out.mp4', 'E_INPUT_INVALID', /not a video/],
    ['tone.m4a', 'out.mp4', 'E_INPUT_INVALID', /no video stream/],
    ['cut.mp4', 'out.mp4', 'E_INPUT_TRUNCATED', /truncated.*--allow-truncated/],
    ['whole.mp4', 'no-such-folder/out.mp4', 'E_OUTPUT_INVALID', /does not exist/],
    ['whole.mp4', 'whole.mp4', 'E_OUTPUT_INVALID', /is the input/],
    ['whole.mp4', 'out.avi', 'E_USAGE', /\.avi/],
  ];
  for (const [input, output, code, message] of cases) {
    await assert.rejects(convertVideo({ input: path.join(bad, input), output: path.join(bad, output), stylizer, preset: 'ultrafast' }), (err: unknown) => {
      assert.ok(err instanceof JapananimeError, `${input}: ${String(err)}`);
      assert.equal(err.code, code, `${input} → ${output}: ${err.message}`);
      assert.match(err.message, message);
      assert.ok(!err.message.includes('\n'), err.message);
      return true;
    });
    assert.deepEqual(await leftovers(bad, inputs), [], `after ${input}`);
  }
  assert.deepEqual(ffmpegChildren(), []);

  // --allow-truncated converts what is there, with a warning.
  const warnings: string[] = [];
  const result = await convertVideo({ input: path.join(bad, 'cut.mp4'), output: path.join(bad, 'cut-out.mp4'), stylizer, preset: 'ultrafast', allowTruncated: true, onWarning: (w) => warnings.push(w) });
  assert.equal(result.truncated, true);
  assert.ok(result.frames > 0 && result.frames < 20, `${result.frames} frames`);
  assert.match(warnings.join(' '), /truncated/);
  const outInfo = await probeMedia(path.join(bad, 'cut-out.mp4'));
  assert.equal(outInfo.frameCount, result.frames);
});

void test('abort mid-way: AbortedError, no output, no temporary file, no ffmpeg left', async () => {
  const input = await makeClip(path.join(dir, 'long.mp4'), { width: 64, height: 48, frames: 150 });
  const output = path.join(dir, 'long-out.mp4');
  const controller = new AbortController();
  let sawProgress = 0;
  await assert.rejects(
    convertVideo({
      input,
      output,
      stylizer,
      batch: 2,
      preset: 'ultrafast',
      signal: controller.signal,
      onProgress: (p) => {
        sawProgress = p.frames;
        if (p.frames >= 10) controller.abort();
      },
    }),
    AbortedError,
  );
  assert.ok(sawProgress >= 10 && sawProgress < 150);
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('.') || f === 'long-out.mp4'), []);
  assert.deepEqual(ffmpegChildren(), []);
});

void test('bounded in-flight frames: with a slow model, never more than batch × queueDepth frames between decoder and encoder', async () => {
  const input = await makeClip(path.join(dir, 'long2.mp4'), { width: 64, height: 48, frames: 60, audio: null });
  let written = 0;
  let maxAhead = 0;
  const slow: Stylizer = {
    description: 'slow wrapper of the real model',
    run: async (frames) => {
      maxAhead = Math.max(maxAhead, frames.at(-1)!.index + 1 - written);
      await new Promise((r) => setTimeout(r, 5));
      return stylizer.run(frames);
    },
    close: async () => undefined,
  };
  const result = await convertVideo({ input, output: path.join(dir, 'long-slow.mp4'), stylizer: slow, batch: 3, queueDepth: 2, preset: 'ultrafast', onProgress: (p) => (written = p.frames) });
  assert.equal(result.frames, 60);
  assert.ok(maxAhead <= 6, `${maxAhead} frames in flight`);
});

void test('planAudio: copy when every stream fits the container, else re-encode all; none without audio', () => {
  const aac = { index: 1, codec: 'aac', sampleRate: 48000, channels: 2 };
  const vorbis = { index: 2, codec: 'vorbis', sampleRate: 48000, channels: 2 };
  assert.deepEqual(planAudio({ audio: [aac] }, 'mp4'), { kind: 'copy', streams: [1] });
  assert.deepEqual(planAudio({ audio: [aac, vorbis] }, 'matroska'), { kind: 'copy', streams: [1, 2] });
  assert.deepEqual(planAudio({ audio: [aac, vorbis] }, 'mp4'), { kind: 'reencode', streams: [1, 2], codec: 'aac' });
  assert.deepEqual(planAudio({ audio: [aac] }, 'webm'), { kind: 'reencode', streams: [1], codec: 'libopus' });
  assert.deepEqual(planAudio({ audio: [] }, 'mp4'), { kind: 'none' });
});
