/**
 * Converts a whole video file: ffmpeg decode (rgb24 pipe) → pull source with credit → batches →
 * Stylizer → ffmpeg encode, with the source's audio copied in. File mode never drops a frame, and
 * memory is bounded by batch × queueDepth frames whatever the length: the source reads a frame only
 * when the encoder has accepted an earlier one, so a slow model pauses ffmpeg through its pipe.
 *
 * The output is atomic: ffmpeg writes a hidden temporary file beside the output, renamed when
 * complete; on any error or abort both children are stopped and the temporary file removed
 * (src/media/atomic-output.ts). Which Stylizer runs when the caller brings none is the engine's
 * session policy (src/engine/video-stylizer.ts).
 */
import { realpathSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Subject, tap } from 'rxjs';
import type { Observable } from 'rxjs';
import { stylizerConcurrency, type Stylizer } from '../engine/stylizer.js';
import { openVideoStylizer, type VideoStylizerOptions } from '../engine/video-stylizer.js';
import { AbortedError, InputError, JapananimeError, OptionError, UsageError } from '../errors.js';
import { withAtomicOutput } from '../media/atomic-output.js';
import { decodeFrames } from '../media/decode-frames.js';
import { FrameEncoder } from '../media/frame-encoder.js';
import { audioCopyAllowed, codecAllowed, defaultCodec, fitMaxSide, muxerForPath, reencodeAudioCodec, X264_PRESETS } from '../media/ffmpeg-args.js';
import type { AudioPlan, Muxer, VideoCodec } from '../media/ffmpeg-args.js';
import { probeMedia } from '../media/probe.js';
import type { MediaInfo, Rational } from '../media/probe.js';
import { batchFrames } from './batch-frames.js';
import { detectTruncation } from './detect-truncation.js';
import { encodeBatches } from './encode-batches.js';
import { pullFrames } from './pull-frames.js';
import { stylizeBatches } from './stylize-batches.js';

export interface ConvertProgress {
  /** Frames written to the encoder. */
  frames: number;
  /** Frames expected (from the probe; may be an estimate). */
  total: number;
  /** Seconds since the conversion started. */
  elapsedS: number;
}

/** The VideoStylizerOptions fields (model, engine, device, threads, tile, workers) are used when no stylizer is given. */
export interface ConvertVideoOptions extends VideoStylizerOptions {
  /** Source video (a local file). */
  input: string;
  /** Output video path; its extension picks the container (.mp4, .mov, .mkv, .webm). */
  output: string;
  /** A ready model, owned by the caller (not closed here). Default: one made by openVideoStylizer from model, engine, device, threads, tile and workers after the input is probed, and closed at the end. */
  stylizer?: Stylizer;
  /** Frames per Stylizer.run call. Default: 4. */
  batch?: number;
  /** Batches that may be in flight between decoder and encoder (bounds memory). Default: 2. */
  queueDepth?: number;
  /** Run the model with the longer side at most this many pixels, scaling back for the output. Default: full size. */
  maxSide?: number;
  /** Video codec. Default: h264 (vp9 for .webm). */
  codec?: VideoCodec;
  /** Constant rate factor. Default: 20 for h264, 32 for vp9. */
  crf?: number;
  /** x264 preset name (also maps to VP9 speed). Default: 'medium'. */
  preset?: string;
  /** Niceness of the ffmpeg decoder and encoder relative to this process (see CODEC_NICENESS). Default: 0. */
  codecNiceness?: number;
  /** Keep the frames of a truncated input instead of failing. Default: false. */
  allowTruncated?: boolean;
  /** Cancels the conversion: children stopped, temporary file removed, AbortedError thrown. Default: none. */
  signal?: AbortSignal;
  /** Called after each batch is encoded. Default: none. */
  onProgress?: (progress: ConvertProgress) => void;
  /** Called with one-line warnings (audio re-encoded, streams left out, truncated input kept, an interrupted run's temporary file removed). Default: none. */
  onWarning?: (message: string) => void;
}

export interface ConvertVideoResult {
  /** Absolute output path. */
  output: string;
  /** Frames decoded and encoded (always equal). */
  frames: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** frames / seconds. */
  fps: number;
  /** Output size (the input's display size). */
  width: number;
  height: number;
  /** Size the model ran at. */
  modelWidth: number;
  modelHeight: number;
  frameRate: Rational;
  codec: VideoCodec;
  /** What happened to the audio. */
  audio: 'copy' | 'reencode' | 'none';
  /** True when a truncated input was converted because allowTruncated was set. */
  truncated: boolean;
  warnings: string[];
}

/** Pure: what to do with each audio stream of the source for a container. */
export function planAudio(info: Pick<MediaInfo, 'audio'>, muxer: Muxer): AudioPlan {
  if (info.audio.length === 0) return { kind: 'none' };
  const streams = info.audio.map((a) => a.index);
  if (info.audio.every((a) => audioCopyAllowed(muxer, a.codec))) return { kind: 'copy', streams };
  return { kind: 'reencode', streams, codec: reencodeAudioCodec(muxer) };
}

function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

interface CheckedPaths {
  input: string;
  output: string;
  muxer: Muxer;
  codec: VideoCodec;
}

/** Validates the paths and codec choices once, before any process starts. */
async function checkPaths(options: ConvertVideoOptions): Promise<CheckedPaths> {
  const input = path.resolve(options.input);
  const output = path.resolve(options.output);
  if (sameFile(input, output)) throw new JapananimeError('E_OUTPUT_INVALID', `the output ${options.output} is the input; choose another output path`);
  const muxer = muxerForPath(output);
  const codec = options.codec ?? defaultCodec(muxer);
  if (!codecAllowed(muxer, codec)) throw new UsageError(`a ${path.extname(output)} file cannot hold ${codec}; use --codec vp9 or an .mp4/.mkv output`);
  if (options.preset !== undefined && !(X264_PRESETS as readonly string[]).includes(options.preset)) {
    throw new UsageError(`unknown preset '${options.preset}' (one of ${X264_PRESETS.join(', ')})`);
  }
  const maxCrf = codec === 'h264' ? 51 : 63;
  if (options.crf !== undefined && !(Number.isInteger(options.crf) && options.crf >= 0 && options.crf <= maxCrf)) {
    throw new OptionError(`{crf} must be an integer from 0 to ${maxCrf} for ${codec}, got ${options.crf}`);
  }
  const dir = path.dirname(output);
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new JapananimeError('E_OUTPUT_INVALID', `the output folder ${dir} does not exist`);
  }
  try {
    if ((await stat(output)).isDirectory()) throw new JapananimeError('E_OUTPUT_INVALID', `the output ${options.output} is a folder; give a file name`);
  } catch (err) {
    if (err instanceof JapananimeError) throw err;
  }
  return { input, output, muxer, codec };
}

/**
 * Niceness of the decoder and encoder. Lowering ffmpeg below the model was meant to stop x264 threads
 * from preempting the model's intra-op threads, but an A/B on the 2-core reference machine showed no
 * difference (fast at 640x360: 93.9% of model-only fps at +10, 93.4% at 0), so the default leaves the
 * priority alone; `codecNiceness` keeps the experiment one option away.
 */
export const CODEC_NICENESS = 0;

export async function convertVideo(options: ConvertVideoOptions): Promise<ConvertVideoResult> {
  const started = performance.now();
  const signal = options.signal;
  if (signal?.aborted) throw new AbortedError();
  const batch = options.batch ?? 4;
  const queueDepth = options.queueDepth ?? 2;
  if (!(Number.isInteger(batch) && batch >= 1)) throw new OptionError(`{batch} must be an integer ≥ 1, got ${batch}`);
  if (!(Number.isInteger(queueDepth) && queueDepth >= 1)) throw new OptionError(`{queueDepth} must be an integer ≥ 1, got ${queueDepth}`);
  if (options.tile !== undefined && !(Number.isInteger(options.tile) && options.tile >= 64)) {
    throw new OptionError(`{tile} must be an integer ≥ 64, got ${options.tile}`);
  }
  if (options.maxSide !== undefined && !(Number.isInteger(options.maxSide) && options.maxSide >= 16)) {
    throw new OptionError(`{maxSide} must be an integer ≥ 16, got ${options.maxSide}`);
  }
  const paths = await checkPaths(options);
  const info = await probeMedia(paths.input, { signal });
  const warnings: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
    options.onWarning?.(m);
  };
  const audio = planAudio(info, paths.muxer);
  if (audio.kind === 'reencode') {
    const codecs = info.audio.map((a) => a.codec).join(', ');
    warn(`audio (${codecs}) cannot be copied into ${path.extname(paths.output)}; re-encoding it to ${audio.codec === 'aac' ? 'AAC' : 'Opus'}`);
  }
  if (info.otherStreams.length > 0) {
    const list = info.otherStreams.map((s) => `#${s.index} ${s.type} (${s.codec})`).join(', ');
    warn(`${info.otherStreams.length === 1 ? 'stream' : 'streams'} ${list} ${info.otherStreams.length === 1 ? 'is' : 'are'} not carried over: the output holds the stylized video and the audio`);
  }
  const model = fitMaxSide(info.width, info.height, options.maxSide);
  // The model is loaded only once the input is known to be good: a typo in the path fails fast.
  const ownStylizer = options.stylizer ? undefined : await openVideoStylizer(options, model);
  const stylizer = options.stylizer ?? ownStylizer!;
  try {
    return await runConversion({ options, paths, info, model, stylizer, audio, warn, warnings, started });
  } finally {
    await ownStylizer?.close();
  }
}

/** What a conversion runs with: everything convertVideo settled before any process starts. */
interface ConversionPlan {
  options: ConvertVideoOptions;
  paths: CheckedPaths;
  /** The probed input. */
  info: MediaInfo;
  /** Size the model runs at. */
  model: { width: number; height: number };
  stylizer: Stylizer;
  audio: AudioPlan;
  /** Records a warning in `warnings` and passes it to onWarning. */
  warn: (message: string) => void;
  /** The warnings so far; the result returns them. */
  warnings: string[];
  /** performance.now() when convertVideo was called: progress and fps count from there. */
  started: number;
}

/** Converts into a temporary file renamed to the output when complete (see atomic-output.ts). */
async function runConversion(plan: ConversionPlan): Promise<ConvertVideoResult> {
  const { options, paths, info, model, audio, warn, warnings, started } = plan;
  const signal = options.signal;
  const onStaleRemoved = (stale: string[]): void =>
    warn(`removed ${stale.length === 1 ? 'a temporary file' : `${stale.length} temporary files`} that an interrupted conversion to ${path.basename(paths.output)} left behind (${stale.map((f) => path.basename(f)).join(', ')})`);
  try {
    const { frames, truncated } = await withAtomicOutput(paths.output, async (temp) => convertInto(plan, temp), { onStaleRemoved });
    const seconds = (performance.now() - started) / 1000;
    return {
      output: paths.output,
      frames,
      seconds,
      fps: frames / seconds,
      width: info.width,
      height: info.height,
      modelWidth: model.width,
      modelHeight: model.height,
      frameRate: info.frameRate,
      codec: paths.codec,
      audio: audio.kind,
      truncated,
      warnings,
    };
  } catch (err) {
    if (signal?.aborted && !(err instanceof AbortedError)) throw new AbortedError();
    throw err;
  }
}

/**
 * Decodes, stylizes and encodes every frame into `temp`; returns the frame count and whether a
 * truncated input was kept. On any error or abort both ffmpeg children are stopped before it throws.
 */
async function convertInto(plan: ConversionPlan, temp: string): Promise<{ frames: number; truncated: boolean }> {
  const { options, paths, info, model, stylizer, audio, warn, started } = plan;
  const signal = options.signal;
  const batch = options.batch ?? 4;
  const queueDepth = options.queueDepth ?? 2;
  const niceness = options.codecNiceness ?? CODEC_NICENESS;
  const decoder = decodeFrames(paths.input, {
    width: model.width,
    height: model.height,
    frameRate: info.frameRate,
    scale: model.width !== info.width || model.height !== info.height,
    streamIndex: info.videoStreamIndex,
    signal,
    niceness,
  });
  let encoder: FrameEncoder | undefined;
  let truncated = false;
  try {
    encoder = await FrameEncoder.start({
      frameWidth: model.width,
      frameHeight: model.height,
      outputWidth: info.width,
      outputHeight: info.height,
      frameRate: info.frameRate,
      audioSource: paths.input,
      audio,
      codec: paths.codec,
      crf: options.crf,
      preset: options.preset,
      muxer: paths.muxer,
      output: temp,
      signal,
      niceness,
    });
    const sink = encoder;
    let written = 0;
    const acks = new Subject<number>();
    await new Promise<void>((resolve, reject) => {
      // Added once `sub` exists: an abort can only arrive after this synchronous setup.
      const onAbort = (): void => {
        sub.unsubscribe();
        reject(new AbortedError());
      };
      // A stylizer that runs several batches at once gets that many more in flight, so the decoder
      // still runs ahead of every busy session.
      const concurrency = stylizerConcurrency(stylizer);
      const pipeline: Observable<number> = pullFrames(decoder, { window: batch * (queueDepth + concurrency - 1), acks }).pipe(
        batchFrames(batch),
        stylizeBatches(stylizer, concurrency),
        encodeBatches(sink),
        tap((n) => {
          written += n;
          options.onProgress?.({ frames: written, total: info.frameCount, elapsedS: (performance.now() - started) / 1000 });
          acks.next(n);
        }),
      );
      const sub = pipeline.subscribe({
        error: (err: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
        complete: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    const summary = decoder.summary;
    if (!summary) throw new AbortedError();
    if (summary.frames !== sink.framesWritten) throw new Error(`internal: decoded ${summary.frames} frames but encoded ${sink.framesWritten}`);
    const verdict = detectTruncation(info, summary);
    if (verdict.truncated) {
      if (!options.allowTruncated) {
        throw new InputError('E_INPUT_TRUNCATED', `${options.input} is truncated or damaged: ${verdict.reason}; nothing written (use --allow-truncated to convert what is there)`);
      }
      truncated = true;
      warn(`${options.input} is truncated (${verdict.reason}); converted the ${summary.frames} frames that decode`);
    }
    await encoder.finish();
    if (signal?.aborted) throw new AbortedError();
    return { frames: summary.frames, truncated };
  } catch (err) {
    // Both children must be gone before withAtomicOutput removes the temporary file: ffmpeg's
    // +faststart pass reopens the file by name and would bring it back.
    await Promise.allSettled([decoder.close(), encoder?.close()]);
    throw err;
  }
}
