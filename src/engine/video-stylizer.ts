/**
 * The session policy of file conversion: how many model sessions (each in its own worker thread) a
 * video gets, and the Stylizer made for it when the caller brings none. It lives with the engines,
 * not in the conversion job, because it is about how the cores are shared among sessions; the job
 * (src/pipeline/convert-video.ts) only asks for a Stylizer.
 */
import { OptionError } from '../errors.js';
import { readModelMeta, resolveModelDir } from '../model/model-package.js';
import { physicalCores } from './cpu-cores.js';
import type { EngineName } from './create-stylizer.js';
import type { OnnxDevice } from './onnx-stylizer.js';
import type { Stylizer } from './stylizer.js';
import { createThreadedStylizer } from './threaded-stylizer.js';

export interface VideoStylizerOptions {
  /** Model package folder or name under models/. Default: models/default. */
  model?: string;
  /** Inference engine. Default: 'onnx'. */
  engine?: EngineName;
  /** Device of the onnx engine. Default: 'cpu'. */
  device?: OnnxDevice;
  /** Intra-op threads of the onnx engine (0 = one per core). Default: 0. */
  threads?: number;
  /**
   * Largest side the model sees at once: frames (after --max-side) that are larger are cut into
   * overlapping tiles and blended seamlessly, bounding memory for 4K video; frames that fit run
   * whole, at full speed. Default: 2048 (DEFAULT_VIDEO_TILE).
   */
  tile?: number;
  /**
   * Model sessions that run batches at the same time, each in its own worker thread; the cores are
   * shared out among them (see VIDEO_SESSIONS). Default: 2 for a light model (fast) on the onnx
   * engine and the CPU with model frames of at most 640×360 pixels (two 1-thread sessions convert
   * 11–25% more frames a second there than one 2-thread session), else 1.
   */
  workers?: number;
  /** Cancels loading the model. Default: none. */
  signal?: AbortSignal;
}

/**
 * Video tiles only above 2048 px (4K and up), not at the 1024 px photos use: a tiled 1080p frame
 * costs about 2.3x the compute of a whole one (four overlapping tiles plus a statistics pass), while
 * a whole 1080p frame of either generator fits in a few hundred MB to a few GB of activations.
 */
export const DEFAULT_VIDEO_TILE = 2048;

/**
 * Sessions run at once by default, and what they are used for. One session's intra-op threads idle
 * between the small kernels of a light model (ORT's helper thread was busy 0.68 of the time on fast
 * at 256²); a second session fills those gaps: fast converted 11–25% more frames a second at 256²
 * and 640×360 (the sample: 5.33 against 4.34 fps). At 1280×720 the kernels are large enough to
 * keep both threads busy (0.84 fps either way), and a dense model (cartoongan, 54 GMAC) gained
 * nothing at any size, while each session holds its own activations (sample: 1.19 GB peak RSS
 * against 0.60; 720p: 3.8 against 1.9 GB). So only light models on small frames get two.
 */
export const VIDEO_SESSIONS = 2;
export const VIDEO_SESSIONS_MAX_PIXELS = 640 * 360;
export const VIDEO_SESSIONS_MAX_GMAC256 = 12;

/**
 * How many sessions a conversion runs for frames of the model's size; `gmac256` is the model's
 * compute at 256² (meta.json), unknown = one session.
 */
export function videoSessions(options: Pick<VideoStylizerOptions, 'engine' | 'device' | 'workers' | 'tile'>, model: { width: number; height: number }, gmac256?: number): number {
  const tile = options.tile ?? DEFAULT_VIDEO_TILE;
  const fits = model.width <= tile && model.height <= tile;
  if (options.workers !== undefined) {
    if (!(Number.isInteger(options.workers) && options.workers >= 1)) throw new OptionError(`{workers} must be an integer ≥ 1, got ${options.workers}`);
    if (options.workers > 1 && !fits) throw new OptionError(`{workers} ${options.workers} needs frames that fit one tile (${model.width}x${model.height} > {tile} ${tile}); use {workers} 1 or {maxSide}`);
    return options.workers;
  }
  const onnxCpu = (options.engine ?? 'onnx') === 'onnx' && (options.device ?? 'cpu') === 'cpu';
  if (!onnxCpu || !fits || model.width * model.height > VIDEO_SESSIONS_MAX_PIXELS) return 1;
  if (gmac256 === undefined || gmac256 > VIDEO_SESSIONS_MAX_GMAC256) return 1;
  return Math.min(VIDEO_SESSIONS, physicalCores());
}

/** The model's GMAC at 256² from its meta.json; undefined when it cannot be read (loading the model then reports why). */
async function modelGmac256(model: string | undefined): Promise<number | undefined> {
  try {
    return (await readModelMeta(resolveModelDir(model))).gmac256;
  } catch {
    return undefined;
  }
}

/** The stylizer a conversion makes when none is given: one tiled session, or several in worker threads. */
export async function openVideoStylizer(options: VideoStylizerOptions, model: { width: number; height: number }): Promise<Stylizer> {
  const sessions = videoSessions(options, model, await modelGmac256(options.model));
  if (sessions > 1) {
    return createThreadedStylizer({ model: resolveModelDir(options.model), engine: options.engine, device: options.device, threads: options.threads, workers: sessions });
  }
  // Loaded lazily: callers that bring their own Stylizer (server, bench, tests) never load the tiling code.
  const { createTiledStylizer } = await import('./tiled-stylizer.js');
  return createTiledStylizer({ model: options.model, engine: options.engine, device: options.device, threads: options.threads, tile: options.tile ?? DEFAULT_VIDEO_TILE, signal: options.signal });
}
