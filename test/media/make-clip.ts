/**
 * Generates tiny test clips with real ffmpeg (lavfi testsrc2 + a sine tone), so the integration
 * tests need no fixtures in the repository.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runFfmpeg } from '../../src/media/child-process.js';

export interface ClipOptions {
  width?: number;
  height?: number;
  /** Frame rate as ffmpeg text, e.g. "10" or "30000/1001". */
  rate?: string;
  frames?: number;
  /** Audio codec, or null for no audio. */
  audio?: 'aac' | 'libopus' | 'pcm_s16le' | 'mp3' | null;
  videoCodec?: 'libx264' | 'libvpx-vp9' | 'mpeg4';
  /** Display rotation metadata in degrees (the old `rotate` tag). */
  rotate?: number;
  faststart?: boolean;
}

export async function makeClip(file: string, o: ClipOptions = {}): Promise<string> {
  const w = o.width ?? 64;
  const h = o.height ?? 48;
  const rate = o.rate ?? '10';
  const frames = o.frames ?? 10;
  // Durations on the sources (not -frames:v, which would cut the audio short): exactly `frames` frames.
  const duration = (frames * rateDen(rate)) / rateNum(rate);
  // testsrc2 rounds odd sizes down, so draw even and scale to the exact size.
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${w + (w % 2)}x${h + (h % 2)}:rate=${rate}:duration=${duration}`];
  const audio = o.audio === undefined ? 'aac' : o.audio;
  if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${duration}`);
  if (w % 2 || h % 2) args.push('-vf', `scale=${w}:${h}`);
  if (audio) args.push('-c:a', audio);
  const vcodec = o.videoCodec ?? 'libx264';
  args.push('-c:v', vcodec);
  if (vcodec === 'libx264') args.push('-preset', 'ultrafast', '-pix_fmt', w % 2 || h % 2 ? 'yuv444p' : 'yuv420p');
  if (o.faststart) args.push('-movflags', '+faststart');
  // ffmpeg 5 writes the rotate tag as a display matrix only when stream-copying, hence a second pass.
  const first = o.rotate === undefined ? file : `${file}.unrotated${path.extname(file)}`;
  args.push('-y', first);
  await runFfmpeg(args);
  if (o.rotate !== undefined) {
    await runFfmpeg(['-hide_banner', '-nostdin', '-v', 'error', '-i', first, '-map', '0', '-c', 'copy', '-metadata:s:v:0', `rotate=${o.rotate}`, '-y', file]);
    await rm(first, { force: true });
  }
  return file;
}

/** A temporary folder removed by the returned cleanup. */
export async function tempDir(prefix = 'japananime-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

function rateNum(rate: string): number {
  return Number(rate.split('/')[0]);
}
function rateDen(rate: string): number {
  return Number(rate.split('/')[1] ?? 1);
}
