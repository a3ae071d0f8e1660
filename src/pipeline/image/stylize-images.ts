/**
 * Stylizes one still image or a whole folder of them, at any resolution (TiledStylizer keeps memory
 * bounded), with EXIF orientation applied and EXIF/ICC carried over.
 *
 * Folder mode walks the input folder recursively (holiday pictures usually sit in per-day or
 * per-place subfolders) and mirrors its layout under the output folder, each file keeping its name
 * and format. Hidden entries and the output folder itself (when it lies inside the input) are not
 * walked. A file is skipped when its output exists and is at least as new as the input, so an
 * interrupted run continues where it stopped; `force` redoes everything. A file that cannot be read
 * is reported and the run goes on; the result lists every failure.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EngineName } from '../../engine/create-stylizer.js';
import type { OnnxDevice } from '../../engine/onnx-stylizer.js';
import type { Stylizer } from '../../engine/stylizer.js';
import { createTiledStylizer, DEFAULT_TILE, TiledStylizer } from '../../engine/tiled-stylizer.js';
import { InputError, JapananimeError, OptionError, UsageError, throwIfAborted } from '../../errors.js';
import type { Frame } from '../../frame.js';
import { readImage, readImageInfo, type DecodedImage, type ImageInfo } from '../../media/image-reader.js';
import { ensureFolder, formatFromExtension, writeImage } from '../../media/image-writer.js';

/** Extensions of image formats that exist but are not supported: reported, not silently ignored. */
const OTHER_IMAGE_EXTENSIONS = new Set(['.gif', '.tif', '.tiff', '.bmp', '.heic', '.heif', '.avif', '.jxl', '.svg', '.jp2']);

export interface ImageProgress {
  /** Files finished so far (written, skipped or failed). */
  done: number;
  /** Files to go through in all. */
  total: number;
  /** The file just finished. */
  file: string;
  /** What happened to it. */
  status: 'written' | 'skipped' | 'failed';
}

export interface StylizeImagesOptions {
  /** An image file (.jpg/.jpeg/.png/.webp) or a folder of them. Required. */
  input: string;
  /**
   * For a file: the output image (its extension picks the format), or an existing folder to write
   * the same file name into. For a folder: the output folder (created if missing). Required.
   */
  output: string;
  /** Model package folder or name under models/. Default: models/default. Ignored when `stylizer` is given. */
  model?: string;
  /** Inference engine. Default: 'onnx'. Ignored when `stylizer` is given. */
  engine?: EngineName;
  /** Device of the onnx engine. Default: 'cpu'. Ignored when `stylizer` is given. */
  device?: OnnxDevice;
  /** Largest side run through the model at once; larger images are tiled. Default: 1024. */
  tile?: number;
  /** Images of the same size per Stylizer call (images larger than `tile` always go one by one). Default: 1. */
  batch?: number;
  /** Redo files whose output is already there and up to date. Default: false. */
  force?: boolean;
  /** Cancels between images and between tiles; throws AbortedError. Default: none. */
  signal?: AbortSignal;
  /** Called after each file (the CLI draws its progress from it). Default: none. */
  onProgress?: (progress: ImageProgress) => void;
  /** Called with one line per file that failed or was unsupported. Default: written to stderr. */
  onWarning?: (message: string) => void;
  /**
   * An already created Stylizer, not closed here: a TiledStylizer is used as it is (its own tile
   * size), any other is wrapped in one. Default: createTiledStylizer from model/engine/device/tile.
   */
  stylizer?: Stylizer;
}

export interface ImageFailure {
  file: string;
  /** The error code (E_INPUT_INVALID, E_OUTPUT_INVALID, …). */
  code: string;
  /** The one-line message. */
  message: string;
}

export interface StylizeImagesResult {
  /** 'file' for one image, 'folder' for a folder. */
  mode: 'file' | 'folder';
  /** Image files found (for a file input: 1). */
  total: number;
  /** Outputs written, in the order they were finished. */
  written: string[];
  /** Inputs skipped because their output was up to date. */
  skipped: string[];
  failed: ImageFailure[];
  /** Wall-clock seconds. */
  seconds: number;
}

/** One unit of work: an input file and where its output goes. */
interface Job {
  input: string;
  output: string;
  info?: ImageInfo;
}

function validate(options: StylizeImagesOptions): { tile: number; batch: number } {
  if (!options.input) throw new UsageError('no input given');
  if (!options.output) throw new UsageError('no output given (-o <file|folder>)');
  const tile = options.tile ?? DEFAULT_TILE;
  if (!Number.isInteger(tile) || tile < 64) throw new OptionError(`{tile} must be a whole number ≥ 64, got ${tile}`);
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) throw new OptionError(`{batch} must be a whole number ≥ 1, got ${batch}`);
  return { tile, batch };
}

export async function stylizeImages(options: StylizeImagesOptions): Promise<StylizeImagesResult> {
  const started = performance.now();
  const { tile, batch } = validate(options);
  const input = path.resolve(options.input);
  const st = await stat(input).catch(() => undefined);
  if (!st) throw new InputError('E_INPUT_MISSING', `${options.input}: no such file or folder`);
  const warn = options.onWarning ?? ((line: string) => process.stderr.write(`${line}\n`));

  let jobs: Job[];
  let unsupported: ImageFailure[] = [];
  const mode = st.isDirectory() ? 'folder' : 'file';
  if (mode === 'folder') {
    const output = path.resolve(options.output);
    if (output === input) throw new JapananimeError('E_OUTPUT_INVALID', `the output folder is the input folder (${output}); the originals would be overwritten`);
    await ensureFolder(output);
    const found = await walk(input, output);
    jobs = found.images.map((file) => ({ input: file, output: path.join(output, path.relative(input, file)) }));
    unsupported = found.unsupported.map((file) => ({ file, code: 'E_INPUT_INVALID', message: `${file}: unsupported image format '${path.extname(file).slice(1).toLowerCase()}' (JPEG, PNG and WebP are supported)` }));
  } else {
    jobs = [{ input, output: await singleOutputPath(input, options.output) }];
  }

  const result: StylizeImagesResult = { mode, total: jobs.length + unsupported.length, written: [], skipped: [], failed: [], seconds: 0 };
  let done = 0;
  const report = (file: string, status: ImageProgress['status']): void => {
    done += 1;
    options.onProgress?.({ done, total: result.total, file, status });
  };
  const fail = (failure: ImageFailure): void => {
    result.failed.push(failure);
    warn(failure.message);
    report(failure.file, 'failed');
  };
  for (const f of unsupported) fail(f);

  // Up-to-date outputs and unreadable headers are settled before the model is loaded: a re-run of a
  // finished folder costs no model start.
  const pending: Job[] = [];
  for (const job of jobs) {
    throwIfAborted(options.signal);
    if (mode === 'folder' && !options.force && (await upToDate(job))) {
      result.skipped.push(job.input);
      report(job.input, 'skipped');
      continue;
    }
    try {
      job.info = await readImageInfo(job.input);
      pending.push(job);
    } catch (err) {
      if (mode === 'file' || !(err instanceof JapananimeError)) throw err;
      fail({ file: job.input, code: err.code, message: err.message });
    }
  }

  if (pending.length > 0) {
    const given = options.stylizer;
    const signal = options.signal ? { signal: options.signal } : {};
    const tiled =
      given instanceof TiledStylizer
        ? given
        : given
          ? new TiledStylizer(given, { tile, closeInner: false, ...signal })
          : await createTiledStylizer({ ...(options.model !== undefined && { model: options.model }), engine: options.engine ?? 'onnx', device: options.device ?? 'cpu', tile, ...signal });
    try {
      for (const group of batches(pending, batch, tile)) {
        throwIfAborted(options.signal);
        const decoded: Array<{ job: Job; image: DecodedImage }> = [];
        for (const job of group) {
          try {
            decoded.push({ job, image: await readImage(job.input) });
          } catch (err) {
            if (mode === 'file' || !(err instanceof JapananimeError)) throw err;
            fail({ file: job.input, code: err.code, message: err.message });
          }
        }
        if (decoded.length === 0) continue;
        const frames: Frame[] = decoded.map(({ image }, index) => ({ data: image.data, width: image.width, height: image.height, pts: 0, index }));
        const styled = await tiled.run(frames);
        for (const [k, { job, image }] of decoded.entries()) {
          const out = styled[k]!;
          try {
            await writeImage(job.output, { data: out.data, width: out.width, height: out.height, alpha: image.alpha }, {
              ...(image.hasExif && { metadataFrom: job.input }),
              icc: image.icc,
            });
            result.written.push(job.output);
            report(job.input, 'written');
          } catch (err) {
            if (mode === 'file' || !(err instanceof JapananimeError)) throw err;
            fail({ file: job.input, code: err.code, message: err.message });
          }
        }
      }
    } finally {
      // A caller's Stylizer stays open for the caller; ours (and our wrapper) are freed.
      if (tiled !== given) await tiled.close();
    }
  }

  result.seconds = Math.round((performance.now() - started) / 10) / 100;
  return result;
}

/** Pure: the one-line human summary the CLI prints at the end (without --json). */
export function formatImagesSummary(result: StylizeImagesResult): string {
  const parts = [`stylized ${result.written.length} image${result.written.length === 1 ? '' : 's'}`];
  if (result.skipped.length > 0) parts.push(`skipped ${result.skipped.length} already done`);
  if (result.failed.length > 0) parts.push(`${result.failed.length} failed`);
  const where = result.mode === 'file' && result.written[0] ? ` → ${result.written[0]}` : '';
  return `${parts.join(', ')} in ${result.seconds.toFixed(1)} s${where}`;
}

/** Where one image goes: `output` itself, or `output/<input name>` when `output` is an existing folder. */
async function singleOutputPath(input: string, output: string): Promise<string> {
  const st = await stat(output).catch(() => undefined);
  const file = st?.isDirectory() ? path.join(output, path.basename(input)) : path.resolve(output);
  if (!formatFromExtension(file)) {
    throw new JapananimeError('E_OUTPUT_INVALID', `${output}: unknown output extension '${path.extname(file)}' (use .jpg, .jpeg, .png or .webp)`);
  }
  if (file === input) throw new JapananimeError('E_OUTPUT_INVALID', `the output is the input (${file}); the original would be overwritten`);
  // Before the model runs: a file where the output's folder should be is found now, not after minutes.
  await ensureFolder(path.dirname(file));
  return file;
}

/** Supported images (sorted, so runs are reproducible) and files of other image formats under `root`. */
async function walk(root: string, exclude: string): Promise<{ images: string[]; unsupported: string[] }> {
  const images: string[] = [];
  const unsupported: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (full !== exclude) await visit(full);
      } else if (entry.isFile()) {
        const ext = path.extname(entry.name).toLowerCase();
        if (formatFromExtension(entry.name)) images.push(full);
        else if (OTHER_IMAGE_EXTENSIONS.has(ext)) unsupported.push(full);
      }
    }
  };
  await visit(root);
  return { images, unsupported };
}

/** The output exists and is at least as new as its input. */
async function upToDate(job: Job): Promise<boolean> {
  const [i, o] = await Promise.all([stat(job.input).catch(() => undefined), stat(job.output).catch(() => undefined)]);
  return i !== undefined && o !== undefined && o.isFile() && o.mtimeMs >= i.mtimeMs;
}

/**
 * Groups jobs into Stylizer calls: images of one size that fit in a tile, up to `batch` at a time
 * (one input shape per call); tiled images alone (TiledStylizer batches their tiles itself, and a
 * batch of huge images would hold all of them in memory at once).
 */
function batches(jobs: Job[], batch: number, tile: number): Job[][] {
  const bySize = new Map<string, Job[]>();
  const out: Job[][] = [];
  for (const job of jobs) {
    const { width, height } = job.info!;
    if (batch === 1 || width > tile || height > tile) {
      out.push([job]);
      continue;
    }
    const key = `${width}x${height}`;
    const group = bySize.get(key) ?? [];
    group.push(job);
    if (group.length === batch) {
      out.push(group);
      bySize.delete(key);
    } else bySize.set(key, group);
  }
  out.push(...bySize.values());
  return out;
}
