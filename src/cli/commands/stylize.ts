/**
 * `japananime stylize <input> -o <output>`: flags only; the work is convertVideo (videos) or
 * stylizeImages (an image file or a folder of images).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { EngineName } from '../../engine/create-stylizer.js';
import { ONNX_DEVICES, type OnnxDevice } from '../../engine/onnx-device.js';
import { UsageError } from '../../errors.js';
import { X264_PRESETS } from '../../media/ffmpeg-args.js';
import type { VideoCodec } from '../../media/ffmpeg-args.js';
import { resolveModelDir } from '../../model/model-package.js';
import { int8CopyApplies, preferInt8Copy } from '../../model/quantize/int8-copy.js';
import { convertVideo } from '../../pipeline/convert-video.js';
import { formatImagesSummary, stylizeImages, type StylizeImagesOptions } from '../../pipeline/image/stylize-images.js';
import type { CommandModule } from '../command-module.js';
import { createProgress } from '../progress.js';

const HELP = `Usage: japananime stylize <input> -o <output> [options]

Converts a whole video to anime style: every frame through the model, same size, frame rate and
frame count, audio copied bit-exact where the container allows. The output appears only when
complete. A photo (.jpg, .png, .webp) or a folder of photos is stylized too: a single photo is always
redone, a folder skips the photos whose output is already up to date (--force redoes them).

  -o, --output <path>     a video file (.mp4, .mov, .mkv, .webm); for photos an image file
                          (.jpg, .png, .webp) or a folder — required
  --model <dir|name>      model package folder or name under models/ (default: models/default); on
                          the CPU its int8 copy <model>-int8 is run instead when it was made from this
                          exact model (japananime quantize): 1.6-1.8x the frames a second, within
                          0.2 grey levels on average
  --fp32                  run the fp32 model even when a current int8 copy is present
  --engine <onnx|tfjs>    inference engine (default: onnx)
  --device <cpu|cuda|webgpu>  where the model runs (default: cpu); webgpu: ONNX Runtime's WebGPU
                          provider (a GPU with Vulkan or D3D12), or with --engine tfjs any adapter
                          'japananime doctor' lists
  --threads <N>           intra-op threads of each model session, 0 = the physical cores shared out (default: 0)
  --workers <N>           model sessions running batches at once, each in a worker thread
                          (default: 2 for a light model such as fast on the CPU at up to 640x360; else 1)
  --batch <N>             frames per model call (default: 4)
  --max-side <N>          run the model with the longer side at most N pixels, scale back (default: full size)
  --codec <h264|vp9>      video codec (default: h264; vp9 for .webm)
  --crf <N>               quality, lower is better (default: 20 for h264, 32 for vp9)
  --preset <name>         x264 preset, ultrafast … veryslow (also sets VP9 speed; default: medium)
  --tile <N>              largest side the model sees at once; bigger frames are tiled seamlessly (default: 2048 for video, 1024 for images)
  --allow-truncated       convert what decodes of a truncated video instead of failing
  --json                  print JSON lines (progress once a second, then a summary) on stdout
  -h, --help              this help

Images only: --force (redo the outputs in a folder that are already up to date).`;

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.bmp', '.heic', '.heif', '.avif']);

export interface StylizeArgs {
  input: string;
  output: string;
  model?: string;
  engine?: EngineName;
  device?: OnnxDevice;
  threads?: number;
  workers?: number;
  batch?: number;
  maxSide?: number;
  codec?: VideoCodec;
  crf?: number;
  preset?: string;
  allowTruncated: boolean;
  json: boolean;
  tile?: number;
  force: boolean;
  /** Run the package given even when it has a current int8 copy. */
  fp32: boolean;
  /** Video-only flags that were given (to refuse them for images). */
  videoFlags: string[];
}

function intFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got '${value}'`);
  return n;
}

/** Pure: argv → validated arguments (UsageError on anything wrong). */
export function parseStylizeArgs(argv: string[]): StylizeArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      output: { type: 'string', short: 'o' },
      model: { type: 'string' },
      engine: { type: 'string' },
      device: { type: 'string' },
      threads: { type: 'string' },
      workers: { type: 'string' },
      batch: { type: 'string' },
      'max-side': { type: 'string' },
      codec: { type: 'string' },
      crf: { type: 'string' },
      preset: { type: 'string' },
      'allow-truncated': { type: 'boolean' },
      json: { type: 'boolean' },
      tile: { type: 'string' },
      force: { type: 'boolean' },
      fp32: { type: 'boolean' },
    },
  });
  if (positionals.length === 0) throw new UsageError('no input given (japananime stylize <input> -o <output>)');
  if (positionals.length > 1) throw new UsageError(`one input at a time, got ${positionals.length}: ${positionals.join(' ')}`);
  if (!values.output) throw new UsageError('no output given (-o <output>)');
  if (values.engine !== undefined && values.engine !== 'onnx' && values.engine !== 'tfjs') throw new UsageError(`--engine must be onnx or tfjs, got '${values.engine}'`);
  if (values.device !== undefined && !(ONNX_DEVICES as readonly string[]).includes(values.device)) throw new UsageError(`--device must be ${ONNX_DEVICES.join(', ')}, got '${values.device}'`);
  if (values.codec !== undefined && values.codec !== 'h264' && values.codec !== 'vp9') throw new UsageError(`--codec must be h264 or vp9, got '${values.codec}'`);
  if (values.preset !== undefined && !(X264_PRESETS as readonly string[]).includes(values.preset)) {
    throw new UsageError(`--preset must be one of ${X264_PRESETS.join(', ')}, got '${values.preset}'`);
  }
  const crf = intFlag('crf', values.crf, 0);
  const maxCrf = values.codec === 'vp9' ? 63 : 51;
  if (crf !== undefined && crf > maxCrf && values.codec !== undefined) throw new UsageError(`--crf must be 0 to ${maxCrf} for ${values.codec}, got ${crf}`);
  const videoFlags = (['max-side', 'codec', 'crf', 'preset', 'allow-truncated', 'threads', 'workers'] as const).filter((f) => values[f] !== undefined);
  return {
    input: positionals[0]!,
    output: values.output,
    model: values.model,
    engine: values.engine as EngineName | undefined,
    device: values.device as OnnxDevice | undefined,
    threads: intFlag('threads', values.threads, 0),
    workers: intFlag('workers', values.workers, 1),
    batch: intFlag('batch', values.batch, 1),
    maxSide: intFlag('max-side', values['max-side'], 16),
    codec: values.codec as VideoCodec | undefined,
    crf,
    preset: values.preset,
    allowTruncated: values['allow-truncated'] ?? false,
    json: values.json ?? false,
    tile: intFlag('tile', values.tile, 64),
    force: values.force ?? false,
    fp32: values.fp32 ?? false,
    videoFlags,
  };
}

/**
 * The package to run: the one asked for, or its current int8 copy (src/model/quantize/int8-copy.ts)
 * when ONNX Runtime runs on the CPU, where its int8 kernels are, and --fp32 was not given. Says on
 * stderr which one it chose when it swapped, and why it passed over a stale copy.
 */
export function chooseModel(args: Pick<StylizeArgs, 'model' | 'engine' | 'device' | 'fp32' | 'json'>): string | undefined {
  if (!int8CopyApplies(args)) return args.model;
  const requested = resolveModelDir(args.model);
  const chosen = preferInt8Copy(requested);
  const note = chosen.skipped !== undefined ? `int8 copy not used: ${chosen.skipped}` : chosen.dir !== requested ? `running the int8 copy ${chosen.dir} (--fp32 runs the fp32 model)` : undefined;
  if (note !== undefined && !args.json) process.stderr.write(`japananime: ${note}\n`);
  return chosen.precision === 'int8' ? chosen.dir : args.model;
}

/** An image file or a folder goes to the image stage; anything else is treated as a video. */
export async function isImageInput(input: string): Promise<boolean> {
  if (IMAGE_EXTENSIONS.has(path.extname(input).toLowerCase())) return true;
  const st = await stat(input).catch(() => undefined);
  return st?.isDirectory() ?? false;
}

async function runImages(args: StylizeArgs, signal: AbortSignal): Promise<number> {
  if (args.videoFlags.length > 0) throw new UsageError(`--${args.videoFlags[0]} applies to videos only`);
  const progress = createProgress({ json: args.json, unit: 'images', label: 'stylize' });
  const options: StylizeImagesOptions = {
    input: args.input,
    output: args.output,
    force: args.force,
    signal,
    onProgress: (p) => progress.update(p.done, p.total, { file: p.file, status: p.status }),
    onWarning: (w) => {
      if (args.json) process.stdout.write(JSON.stringify({ type: 'warning', message: w }) + '\n');
      else process.stderr.write(`japananime: warning: ${w}\n`);
    },
  };
  const model = chooseModel(args);
  if (model !== undefined) options.model = model;
  if (args.engine !== undefined) options.engine = args.engine;
  if (args.device !== undefined) options.device = args.device;
  if (args.batch !== undefined) options.batch = args.batch;
  if (args.tile !== undefined) options.tile = args.tile;
  const result = await stylizeImages(options);
  progress.finish({ mode: result.mode, total: result.total, written: result.written.length, skipped: result.skipped.length, failed: result.failed.length, seconds: result.seconds, failures: result.failed });
  // The success line names the output (a single photo's file), so the user knows where to look.
  if (!args.json) process.stdout.write(formatImagesSummary(result) + '\n');
  return result.failed.length > 0 ? 1 : 0;
}

async function runVideo(args: StylizeArgs, signal: AbortSignal): Promise<number> {
  if (args.force) throw new UsageError('--force applies to images only (a video output is always replaced)');
  const progress = createProgress({ json: args.json, unit: 'frames', label: 'stylize' });
  const result = await convertVideo({
    input: args.input,
    output: args.output,
    model: chooseModel(args),
    engine: args.engine,
    device: args.device,
    threads: args.threads,
    workers: args.workers,
    tile: args.tile,
    batch: args.batch,
    maxSide: args.maxSide,
    codec: args.codec,
    crf: args.crf,
    preset: args.preset,
    allowTruncated: args.allowTruncated,
    signal,
    onProgress: (p) => progress.update(p.frames, p.total > 0 ? Math.max(p.total, p.frames) : undefined, { fps: Math.round((p.frames / Math.max(p.elapsedS, 1e-9)) * 100) / 100 }),
    onWarning: (w) => {
      if (args.json) process.stdout.write(JSON.stringify({ type: 'warning', message: w }) + '\n');
      else process.stderr.write(`japananime: warning: ${w}\n`);
    },
  });
  const fps = Math.round(result.fps * 100) / 100;
  progress.finish({
    frames: result.frames,
    seconds: Math.round(result.seconds * 1000) / 1000,
    fps,
    output: result.output,
    width: result.width,
    height: result.height,
    modelWidth: result.modelWidth,
    modelHeight: result.modelHeight,
    codec: result.codec,
    audio: result.audio,
    truncated: result.truncated,
  });
  if (!args.json) {
    const audio = { copy: 'audio copied', reencode: 'audio re-encoded', none: 'no audio' }[result.audio];
    process.stdout.write(`wrote ${result.output}: ${result.frames} frames ${result.width}x${result.height} in ${result.seconds.toFixed(1)} s (${fps} fps), ${audio}\n`);
  }
  return 0;
}

export const command: CommandModule = {
  summary: 'convert a video (or images) to anime style',
  help: HELP,
  async run(argv, signal) {
    const args = parseStylizeArgs(argv);
    return (await isImageInput(args.input)) ? runImages(args, signal) : runVideo(args, signal);
  },
};
