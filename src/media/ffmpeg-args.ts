/**
 * Pure builders of ffmpeg argument arrays (no I/O, unit-tested on the arrays). Spawning is
 * child-process.ts's job.
 *
 * Safety: every input is opened as `file:<path>` with `-protocol_whitelist file,pipe`, so a name like
 * `concat:a|b`, `subfile:…`, `http://…` is a literal file name, and a local playlist that points at
 * remote or other-protocol segments is refused by ffmpeg.
 */
import { UsageError } from '../errors.js';
import type { Rational } from './rational.js';

/** Protocols ffmpeg may open for our inputs: local files and our own pipes, nothing else. */
export const PROTOCOL_WHITELIST = 'file,pipe';

/** The ffmpeg URL of a local path: `file:` keeps ffmpeg from reading a prefix like `concat:` as a protocol. */
export function inputUrl(file: string): string {
  return `file:${file}`;
}

export type VideoCodec = 'h264' | 'vp9';
export type Muxer = 'mp4' | 'mov' | 'matroska' | 'webm';

const MUXER_BY_EXT: Record<string, Muxer> = { '.mp4': 'mp4', '.m4v': 'mp4', '.mov': 'mov', '.mkv': 'matroska', '.webm': 'webm' };

/** The muxer for an output file name, from its extension; UsageError for one we do not write. */
export function muxerForPath(file: string): Muxer {
  const dot = file.lastIndexOf('.');
  const ext = dot >= 0 ? file.slice(dot).toLowerCase() : '';
  const muxer = MUXER_BY_EXT[ext];
  if (!muxer) throw new UsageError(`cannot write '${ext || file}' files; name the output .mp4, .mov, .mkv or .webm`);
  return muxer;
}

/** Video codecs each container can hold (of the ones we encode). */
export function codecAllowed(muxer: Muxer, codec: VideoCodec): boolean {
  return muxer === 'webm' ? codec === 'vp9' : true;
}

/** The default video codec for a container: VP9 for WebM, H.264 elsewhere. */
export function defaultCodec(muxer: Muxer): VideoCodec {
  return muxer === 'webm' ? 'vp9' : 'h264';
}

const AUDIO_COPY: Record<Muxer, ReadonlySet<string> | 'any'> = {
  mp4: new Set(['aac', 'mp3', 'alac', 'ac3', 'eac3', 'opus', 'mp2']),
  mov: new Set(['aac', 'mp3', 'alac', 'ac3', 'eac3', 'pcm_s16le', 'pcm_s16be', 'pcm_s24le', 'pcm_f32le', 'mp2']),
  matroska: 'any',
  webm: new Set(['opus', 'vorbis']),
};

/** Whether an audio stream of `codec` can be copied bit-exact into `muxer`. */
export function audioCopyAllowed(muxer: Muxer, codec: string): boolean {
  const allowed = AUDIO_COPY[muxer];
  return allowed === 'any' || allowed.has(codec);
}

/** The codec used when audio must be re-encoded for a container. */
export function reencodeAudioCodec(muxer: Muxer): 'aac' | 'libopus' {
  return muxer === 'webm' ? 'libopus' : 'aac';
}

/** Clamps a size so its longer side is at most `maxSide`, keeping the aspect ratio, each side ≥ 2. */
export function fitMaxSide(width: number, height: number, maxSide: number | undefined): { width: number; height: number } {
  if (!maxSide || Math.max(width, height) <= maxSide) return { width, height };
  const scale = maxSide / Math.max(width, height);
  return { width: Math.max(2, Math.round(width * scale)), height: Math.max(2, Math.round(height * scale)) };
}

export interface DecodeArgsOptions {
  /** Local file path (opened as file:…), or a device path when `inputFormat` is given. */
  input: string;
  /** Demuxer to force, e.g. 'v4l2' for a webcam. Default: probe by content. */
  inputFormat?: string;
  /** Index of the video stream to decode (MediaInfo.videoStreamIndex). Default: the first video stream. */
  streamIndex?: number;
  /** Size of the frames on the pipe; when it differs from the source the decoder scales. Default: source size. */
  scaleTo?: { width: number; height: number };
  /** Read at the native frame rate (-re), for live sources from files. Default: false. */
  realtime?: boolean;
  /** Loop the input forever (-stream_loop -1), for live demos from a file. Default: false. */
  loop?: boolean;
}

/** ffmpeg args that decode one video stream to raw rgb24 frames on stdout, one output frame per input frame. */
export function buildDecodeArgs(o: DecodeArgsOptions): string[] {
  const args = ['-hide_banner', '-nostdin', '-v', 'error'];
  if (o.realtime) args.push('-re');
  if (o.loop) args.push('-stream_loop', '-1');
  if (o.inputFormat) args.push('-f', o.inputFormat, '-i', o.input);
  else args.push('-protocol_whitelist', PROTOCOL_WHITELIST, '-i', inputUrl(o.input));
  args.push('-map', o.streamIndex === undefined ? '0:v:0' : `0:${o.streamIndex}`, '-an', '-sn', '-dn');
  // passthrough: never duplicate or drop a frame to fit a rate; frame count out = frame count in.
  args.push('-vsync', 'passthrough');
  if (o.scaleTo) args.push('-vf', `scale=${o.scaleTo.width}:${o.scaleTo.height}:flags=area`);
  args.push('-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1');
  return args;
}

export type AudioPlan =
  | { kind: 'none' }
  /** Copy these source stream indices bit-exact. */
  | { kind: 'copy'; streams: number[] }
  /** Re-encode these source stream indices with `codec`. */
  | { kind: 'reencode'; streams: number[]; codec: 'aac' | 'libopus' };

export interface EncodeArgsOptions {
  /** Size of the rgb24 frames written to stdin. */
  frameWidth: number;
  frameHeight: number;
  /** Size of the output video; the encoder scales when it differs from the frame size. */
  outputWidth: number;
  outputHeight: number;
  /** Frame rate of the output (the source's). */
  frameRate: Rational;
  /** The source video, opened for its audio (and global metadata). Default: none (no audio). */
  audioSource?: string;
  /** What to do with the source's audio streams. Default: none. */
  audio?: AudioPlan;
  /** Video codec. Default: h264. */
  codec?: VideoCodec;
  /** Constant rate factor (h264: 0–51, vp9: 0–63). Default: 20 for h264, 32 for vp9. */
  crf?: number;
  /** x264 preset (ultrafast … veryslow); for vp9 it picks -deadline/-cpu-used. Default: 'medium'. */
  preset?: string;
  /** Container. */
  muxer: Muxer;
  /** Path written (a temporary name; the caller renames it). */
  output: string;
}

export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow', 'placebo'] as const;

/** vp9 speed for an x264-style preset name: faster presets → higher cpu-used. */
function vp9Speed(preset: string): { deadline: string; cpuUsed: string } {
  const i = X264_PRESETS.indexOf(preset as (typeof X264_PRESETS)[number]);
  if (i <= 1) return { deadline: 'realtime', cpuUsed: '8' };
  if (i <= 4) return { deadline: 'good', cpuUsed: '4' };
  if (i === 5) return { deadline: 'good', cpuUsed: '2' };
  return { deadline: 'good', cpuUsed: '1' };
}

/** ffmpeg args that encode rgb24 frames from stdin, with the source's audio mapped in. */
export function buildEncodeArgs(o: EncodeArgsOptions): string[] {
  const codec = o.codec ?? 'h264';
  const preset = o.preset ?? 'medium';
  const rate = `${o.frameRate.num}/${o.frameRate.den}`;
  const audio = o.audioSource ? (o.audio ?? { kind: 'none' }) : ({ kind: 'none' } as const);
  const args = ['-hide_banner', '-nostdin', '-v', 'error'];
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${o.frameWidth}x${o.frameHeight}`, '-framerate', rate, '-i', 'pipe:0');
  if (o.audioSource && audio.kind !== 'none') {
    args.push('-protocol_whitelist', PROTOCOL_WHITELIST, '-i', inputUrl(o.audioSource));
  }
  args.push('-map', '0:v:0');
  if (audio.kind !== 'none') for (const s of audio.streams) args.push('-map', `1:${s}`);
  if (o.audioSource && audio.kind !== 'none') args.push('-map_metadata', '1');
  if (o.frameWidth !== o.outputWidth || o.frameHeight !== o.outputHeight) {
    args.push('-vf', `scale=${o.outputWidth}:${o.outputHeight}:flags=bicubic`);
  }
  // 4:2:0 needs even sides in H.264; odd sizes keep every pixel with 4:4:4 instead of cropping.
  const odd = o.outputWidth % 2 === 1 || o.outputHeight % 2 === 1;
  if (codec === 'h264') {
    args.push('-c:v', 'libx264', '-preset', preset, '-crf', String(o.crf ?? 20), '-pix_fmt', odd ? 'yuv444p' : 'yuv420p');
  } else {
    const { deadline, cpuUsed } = vp9Speed(preset);
    args.push('-c:v', 'libvpx-vp9', '-crf', String(o.crf ?? 32), '-b:v', '0', '-deadline', deadline, '-cpu-used', cpuUsed, '-row-mt', '1');
    args.push('-pix_fmt', odd ? 'yuv444p' : 'yuv420p');
  }
  if (audio.kind === 'copy') args.push('-c:a', 'copy');
  else if (audio.kind === 'reencode') args.push('-c:a', audio.codec, '-b:a', '192k');
  if (o.muxer === 'mp4' || o.muxer === 'mov') args.push('-movflags', '+faststart');
  args.push('-f', o.muxer, '-y', `file:${o.output}`);
  return args;
}
