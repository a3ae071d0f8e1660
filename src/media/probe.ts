/**
 * What a video file holds, from ffprobe: display size (rotation applied, as ffmpeg's decoder
 * auto-rotates), frame rate as a rational, duration, frame count, rotation and audio streams.
 * Bad inputs become one-line InputErrors: missing, empty, not a video, audio-only.
 */
import { stat } from 'node:fs/promises';
import { InputError, JapananimeError } from '../errors.js';
import { FfmpegError, lastMeaningfulLine, runFfprobeJson } from './child-process.js';
import { inputUrl, PROTOCOL_WHITELIST } from './ffmpeg-args.js';

import { parseRational, type Rational } from './rational.js';

export { parseRational, type Rational } from './rational.js';

export interface AudioStreamInfo {
  /** Stream index in the file (the `0:N` of ffmpeg's -map). */
  index: number;
  /** Codec name as ffprobe says it, e.g. "aac", "opus", "mp3". */
  codec: string;
  sampleRate: number;
  channels: number;
}

/** A stream the conversion leaves out. */
export interface OtherStreamInfo {
  index: number;
  /** ffprobe's codec_type: 'subtitle', 'data', 'attachment', 'video' (a second video or cover art). */
  type: string;
  codec: string;
}

export interface MediaInfo {
  /** Width as displayed (rotation applied). */
  width: number;
  /** Height as displayed (rotation applied). */
  height: number;
  /** Width and height as coded in the stream (before rotation). */
  codedWidth: number;
  codedHeight: number;
  /** Frames per second as a rational, e.g. {num: 30000, den: 1001}. */
  frameRate: Rational;
  /** Duration in seconds (container duration, else the video stream's). */
  duration: number;
  /** Number of video frames: from the container header when it says, else estimated from duration × rate. */
  frameCount: number;
  /** True when frameCount came from the header (nb_frames), false when estimated. */
  frameCountExact: boolean;
  /** Clockwise display rotation in degrees, one of 0, 90, 180, 270. */
  rotation: 0 | 90 | 180 | 270;
  /** Codec of the video stream, e.g. "h264". */
  videoCodec: string;
  /** Index of the video stream that is converted. */
  videoStreamIndex: number;
  audio: AudioStreamInfo[];
  /**
   * Streams that are neither the converted video nor audio (subtitles, data, attachments, further
   * video streams): a conversion does not carry them over, and says so.
   */
  otherStreams: OtherStreamInfo[];
  /** Container format name(s) as ffprobe reports them, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  formatName: string;
}

export interface ProbeOptions {
  /** Cancels the probe. Default: none. */
  signal?: AbortSignal;
}


/** Normalises a display-matrix rotation (ffprobe: counter-clockwise, may be negative) to clockwise 0/90/180/270. */
export function normaliseRotation(degrees: number): 0 | 90 | 180 | 270 {
  const r = ((Math.round(-degrees / 90) * 90) % 360 + 360) % 360;
  return r as 0 | 90 | 180 | 270;
}

interface ProbeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  sample_rate?: string;
  channels?: number;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: Array<{ rotation?: number }>;
}
interface ProbeJson {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string };
}

/** Pure: turns ffprobe's JSON into MediaInfo, or throws the InputError a user should see. */
export function mediaInfoFromProbe(file: string, json: unknown): MediaInfo {
  const probe = json as ProbeJson;
  const streams = probe.streams ?? [];
  // Cover art in audio files is a "video" stream with attached_pic; it is not a video.
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio: AudioStreamInfo[] = streams
    .filter((s) => s.codec_type === 'audio')
    .map((s) => ({ index: s.index ?? 0, codec: s.codec_name ?? 'unknown', sampleRate: Number(s.sample_rate ?? 0), channels: s.channels ?? 0 }));
  if (!video) {
    if (audio.length > 0) throw new InputError('E_INPUT_INVALID', `${file} has audio but no video stream; give a video file`);
    throw new InputError('E_INPUT_INVALID', `${file} is not a video (no video stream)`);
  }
  const codedWidth = video.width ?? 0;
  const codedHeight = video.height ?? 0;
  if (!(codedWidth > 0 && codedHeight > 0)) throw new InputError('E_INPUT_INVALID', `${file}: the video stream has no size (corrupt or not a video)`);
  const frameRate = parseRational(video.avg_frame_rate) ?? parseRational(video.r_frame_rate);
  if (!frameRate) throw new InputError('E_INPUT_INVALID', `${file}: the video stream has no frame rate (a still image or a corrupt file?)`);
  const rotationRaw = video.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? -Number(video.tags?.rotate ?? 0);
  const rotation = normaliseRotation(rotationRaw);
  const swap = rotation === 90 || rotation === 270;
  const duration = Number(probe.format?.duration ?? video.duration ?? Number.NaN);
  const nbFrames = Number(video.nb_frames ?? Number.NaN);
  const frameCountExact = Number.isInteger(nbFrames) && nbFrames > 0;
  const frameCount = frameCountExact ? nbFrames : Number.isFinite(duration) ? Math.round((duration * frameRate.num) / frameRate.den) : 0;
  return {
    width: swap ? codedHeight : codedWidth,
    height: swap ? codedWidth : codedHeight,
    codedWidth,
    codedHeight,
    frameRate,
    duration: Number.isFinite(duration) ? duration : frameCount / (frameRate.num / frameRate.den),
    frameCount,
    frameCountExact,
    rotation,
    videoCodec: video.codec_name ?? 'unknown',
    videoStreamIndex: video.index ?? 0,
    audio,
    otherStreams: streams
      .filter((s) => s !== video && s.codec_type !== 'audio')
      .map((s) => ({ index: s.index ?? 0, type: s.codec_type ?? 'unknown', codec: s.codec_name ?? 'unknown' })),
    formatName: probe.format?.format_name ?? 'unknown',
  };
}

/**
 * Probes a local video file. Throws InputError: E_INPUT_MISSING (no such file), E_INPUT_INVALID
 * (empty, not a media file, no video stream), E_INPUT_TRUNCATED (an MP4 whose index is missing).
 */
export async function probeMedia(file: string, options: ProbeOptions = {}): Promise<MediaInfo> {
  let size: number;
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw new InputError('E_INPUT_INVALID', `${file} is a folder, not a video file`);
    size = st.size;
    // Devices (e.g. /dev/video0) report size 0 but are fine inputs.
    if (size === 0 && st.isFile()) throw new InputError('E_INPUT_INVALID', `${file} is empty (0 bytes), not a video`);
  } catch (err) {
    if (err instanceof JapananimeError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError('E_INPUT_MISSING', `${file} does not exist`);
    throw new InputError('E_INPUT_INVALID', `${file} cannot be read: ${(err as Error).message}`, err);
  }
  let json: unknown;
  try {
    json = await runFfprobeJson(['-protocol_whitelist', PROTOCOL_WHITELIST, '-show_format', '-show_streams', inputUrl(file)], options);
  } catch (err) {
    if (err instanceof FfmpegError) {
      const reason = lastMeaningfulLine(err.stderrTail);
      if (/moov atom not found/i.test(err.stderrTail) && (await startsLikeMp4(file))) {
        throw new InputError('E_INPUT_TRUNCATED', `${file} is truncated or incomplete (its MP4 index is missing)`, err);
      }
      if (/protocol.*not on whitelist/i.test(err.stderrTail)) {
        throw new InputError('E_INPUT_INVALID', `${file} refers to non-local data (only local files are opened)`, err);
      }
      throw new InputError('E_INPUT_INVALID', `${file} is not a video ffmpeg can read (${stripPath(reason, file)})`, err);
    }
    throw err;
  }
  return mediaInfoFromProbe(file, json);
}

/** An MP4/MOV starts with an `ftyp` box; with it but without `moov`, the file was cut short. */
async function startsLikeMp4(file: string): Promise<boolean> {
  const { open } = await import('node:fs/promises');
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(8);
    await fh.read(head, 0, 8, 0);
    return head.subarray(4, 8).toString('latin1') === 'ftyp';
  } finally {
    await fh.close();
  }
}

function stripPath(reason: string, file: string): string {
  return reason.replace(`file:${file}: `, '').replace(`${file}: `, '');
}
