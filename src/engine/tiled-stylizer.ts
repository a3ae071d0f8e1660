/**
 * A Stylizer for frames of any size with bounded memory: frames larger than `tile` are cut into
 * overlapping tiles (src/engine/tiling/tile-plan.ts), stylized, and blended back with a smooth weight
 * ramp across the overlap (tile-blender.ts). Frames that fit go straight through.
 *
 * The model's working memory grows with the pixels of one run (activations of every layer), so a
 * 6000×4000 photo in one run needs many GB; tiles of 1024² keep it at the cost of one 1024² frame.
 * Because videos use Stylizers too, wrapping the pipeline's Stylizer gives `--tile` to video.
 *
 * Instance normalisation makes tiles disagree (each normalises by its own statistics). Measured on
 * a random-weight `fast` generator (test/engine/tiling/random-fast-package.ts), a 1200×800 synthetic
 * photo in 512² tiles: mean |tiled − untiled| 32 px away from the border, at full resolution / on
 * 40× area-downscaled copies (the tone):
 *
 *   tiles normalised on their own                        8.44 / 1.45
 *   + tone matching toward a downscaled stylization      8.34 / 0.82   (tone only; texture still differs)
 *   shared statistics of a 512-px downscaled frame       2.22 / 0.52
 *   shared statistics of a 1024-px downscaled frame      0.51 / 0.12
 *   shared exact statistics of the whole frame           0.02 / 0.00   (so the blending itself is exact)
 *
 * So with the ONNX engine (`sharedNorm`) every tile is run with one set of statistics, measured once
 * on the whole frame downscaled to `referenceSide` (default: the tile size, the largest run that
 * fits the memory budget anyway): all tiles agree exactly with each other — no seam can appear — and
 * the only difference from an untiled run is how far the downscaled frame's statistics are from the
 * full frame's. Wrapped Stylizers without access to the graph (tfjs) fall back to tone matching
 * (tone-match.ts), which fixes the visible part, the low-frequency tone.
 *
 * Tried and dropped: refining the downscaled statistics by measuring every norm's input over the
 * full-resolution tiles under the current estimate (a fixed-point iteration). It is exact one layer
 * deeper per pass, but the deeper layers drift further first (one pass made the difference 3.5×
 * larger), and 11 passes for the 11 norms of `fast` would cost 11 stylizations.
 */
import { throwIfAborted, UsageError } from '../errors.js';
import type { Frame } from '../frame.js';
import { loadAnyModelPackage, type AnyModelPackage } from '../model/model-package.js';
import { createStylizer, type StylizerOptions } from './create-stylizer.js';
import type { Stylizer } from './stylizer.js';
import { cropTile } from './tiling/crop-tile.js';
import { resizeArea } from './tiling/resize-area.js';
import { createSharedNormRunner, type SharedNormRunner } from './tiling/shared-norm-onnx.js';
import { TileBlender, type TilePixels } from './tiling/tile-blender.js';
import { planTiles, type TilePlan } from './tiling/tile-plan.js';
import { matchTone, type ToneMode, type ToneReference } from './tiling/tone-match.js';
import { ONNX_DEVICES } from './onnx-device.js';
import { onnxDescription } from './onnx-stylizer.js';

/**
 * Default largest tile side. Measured with `fast`: a 6000×4000 photo peaks at 1.4 GB RSS at 1024
 * (bench/image-memory.ts), under the 2 GB target; the ONNX Runtime arena of one 1024² run is ~1 GB.
 */
export const DEFAULT_TILE = 1024;

export interface TiledStylizerOptions {
  /** Largest tile side in pixels; frames whose sides both fit go through untiled. Default: 1024. */
  tile?: number;
  /** Smallest overlap between neighbouring tiles in pixels, ≤ tile/3. Default: tile/8. */
  overlap?: number;
  /**
   * Width of the hand-over ramp in the middle of each overlap, ≤ overlap. Default: overlap/2 — the
   * quarter of the overlap nearest each tile edge gets no weight, because there the model's
   * convolutions saw the tile's zero padding instead of the neighbouring pixels.
   */
  ramp?: number;
  /**
   * Runs tiles with instance-norm statistics shared by the whole frame (ONNX engine): a runner, or a
   * function that makes one when the first frame needs tiling (so videos that fit never build it).
   * Closed by close(). Default: none (tone matching instead).
   */
  sharedNorm?: SharedNormRunner | (() => Promise<SharedNormRunner>);
  /** Tone correction of tiles toward a downscaled whole-frame stylization, when there is no sharedNorm. Default: 'lowfreq'. */
  tone?: ToneMode;
  /** Longest side of the downscaled whole frame the statistics (or the tone reference) come from. Default: tile. */
  referenceSide?: number;
  /**
   * Tiles per call of the wrapped Stylizer. Default: 1 — on CPU a bigger batch adds little speed and
   * multiplies the model's working memory, which is what tiling is there to bound.
   */
  tileBatch?: number;
  /** Whether close() also closes the wrapped Stylizer. Default: true. */
  closeInner?: boolean;
  /** Checked between tiles: a huge frame can take minutes. Default: none. */
  signal?: AbortSignal;
}

export class TiledStylizer implements Stylizer {
  readonly description: string;
  private readonly inner: Stylizer;
  private readonly tile: number;
  private readonly overlap: number;
  private readonly ramp: number;
  private readonly tone: ToneMode;
  private readonly referenceSide: number;
  private readonly tileBatch: number;
  private readonly closeInner: boolean;
  private readonly signal: AbortSignal | undefined;
  private sharedNormSource: SharedNormRunner | (() => Promise<SharedNormRunner>) | undefined;
  private sharedNorm: Promise<SharedNormRunner> | undefined;
  private closed = false;

  constructor(inner: Stylizer, options: TiledStylizerOptions = {}) {
    this.tile = options.tile ?? DEFAULT_TILE;
    this.overlap = options.overlap ?? Math.round(this.tile / 8);
    this.ramp = options.ramp ?? Math.floor(this.overlap / 2);
    // Validates tile, overlap and ramp once, here, rather than on the first huge frame.
    planTiles(this.tile + 1, 1, { tile: this.tile, overlap: this.overlap, ramp: this.ramp });
    this.tone = options.tone ?? 'lowfreq';
    this.referenceSide = options.referenceSide ?? this.tile;
    if (!Number.isInteger(this.referenceSide) || this.referenceSide < 16) throw new RangeError(`referenceSide must be an integer ≥ 16, got ${this.referenceSide}`);
    this.tileBatch = options.tileBatch ?? 1;
    if (!Number.isInteger(this.tileBatch) || this.tileBatch < 1) throw new RangeError(`tileBatch must be an integer ≥ 1, got ${this.tileBatch}`);
    this.closeInner = options.closeInner ?? true;
    this.signal = options.signal;
    this.inner = inner;
    this.sharedNormSource = options.sharedNorm;
    const fix = this.sharedNormSource ? 'shared-norm' : `tone=${this.tone}`;
    this.description = `${inner.description} tiled ${this.tile}px/${this.overlap}px ${fix}`;
  }

  /** The tiles a width×height frame is cut into (one tile when it fits). */
  plan(width: number, height: number): TilePlan {
    return planTiles(width, height, { tile: this.tile, overlap: this.overlap, ramp: this.ramp });
  }

  async run(frames: Frame[]): Promise<Frame[]> {
    if (this.closed) throw new Error('TiledStylizer: run() after close()');
    const first = frames[0];
    if (!first) return [];
    if (first.width <= this.tile && first.height <= this.tile) return this.inner.run(frames);
    const out: Frame[] = [];
    for (const frame of frames) out.push(await this.runTiled(frame));
    return out;
  }

  private async runTiled(frame: Frame): Promise<Frame> {
    const { width, height } = frame;
    const plan = this.plan(width, height);
    // With the graph known (the ONNX engine): its instance norms share the frame's statistics. A graph
    // without any (today's fast) computes each pixel from its neighbourhood only: overlapping tiles
    // already agree, and tone matching toward a downscaled run would only pull them (by ~1.6 grey
    // levels on a 2400×1800 photo) toward a picture stylized at another scale.
    const runner = await this.graphRunner();
    const shared = runner !== undefined && runner.layers.length > 0 ? runner : undefined;
    const stats = shared ? (await shared.stats([this.downscaled(frame)]))[0]! : undefined;
    const tone = runner !== undefined && shared === undefined ? 'none' : this.tone;
    const reference = shared || tone === 'none' ? undefined : await this.reference(frame);
    const data = new Uint8Array(width * height * 3);
    const blender = new TileBlender(plan, data);
    const cols = plan.cols.starts.length;
    for (let row = 0; row < plan.rows.starts.length; row += 1) {
      const rects = plan.tiles.slice(row * cols, (row + 1) * cols);
      const pixels: TilePixels[] = [];
      for (let i = 0; i < rects.length; i += this.tileBatch) {
        throwIfAborted(this.signal);
        const group = rects.slice(i, i + this.tileBatch);
        const tiles = group.map((r) => ({ data: cropTile(frame.data, width, r), width: r.width, height: r.height, pts: frame.pts, index: frame.index }));
        if (shared && stats) {
          for (const s of await shared.run(tiles, stats)) pixels.push(s.data);
        } else {
          const styled = await this.inner.run(tiles);
          styled.forEach((s, k) => pixels.push(matchTone(s.data, group[k]!, reference, tone)));
        }
      }
      blender.addRow(row, pixels);
    }
    return { data, width, height, pts: frame.pts, index: frame.index };
  }

  /** The graph's shared-norm runner, built on first use (whatever its norm count); undefined without a source. */
  private async graphRunner(): Promise<SharedNormRunner | undefined> {
    const source = this.sharedNormSource;
    if (!source) return undefined;
    this.sharedNorm ??= typeof source === 'function' ? source() : Promise.resolve(source);
    return this.sharedNorm;
  }

  /** The whole frame area-downscaled so its longest side is `referenceSide`. */
  private downscaled(frame: Frame): Frame {
    const scale = Math.min(1, this.referenceSide / Math.max(frame.width, frame.height));
    const rw = Math.max(1, Math.round(frame.width * scale));
    const rh = Math.max(1, Math.round(frame.height * scale));
    throwIfAborted(this.signal);
    return { data: resizeArea(frame.data, frame.width, frame.height, rw, rh), width: rw, height: rh, pts: frame.pts, index: frame.index };
  }

  /** Stylizes a downscaled copy of the whole frame once: the tone every tile is corrected toward. */
  private async reference(frame: Frame): Promise<ToneReference> {
    const small = this.downscaled(frame);
    const [styled] = await this.inner.run([small]);
    if (!styled) throw new Error('TiledStylizer: the wrapped Stylizer returned no frame');
    return { data: styled.data, width: small.width, height: small.height, frameWidth: frame.width, frameHeight: frame.height };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sharedNorm) await (await this.sharedNorm.catch(() => undefined))?.close();
    else if (this.sharedNormSource && typeof this.sharedNormSource !== 'function') await this.sharedNormSource.close();
    if (this.closeInner) await this.inner.close();
  }
}

export interface CreateTiledStylizerOptions extends StylizerOptions {
  /** Largest tile side in pixels; frames whose sides both fit go through untiled. Default: 1024. */
  tile?: number;
  /** Smallest overlap between neighbouring tiles in pixels, ≤ tile/3. Default: tile/8. */
  overlap?: number;
  /** Checked between tiles. Default: none. */
  signal?: AbortSignal;
}

/**
 * The Stylizer to use when frames may be larger than a tile (photos, `--tile` for video). On the
 * onnx engine one session of the shared-norm graph runs everything — frames that fit, the
 * statistics of a huge frame, and its tiles with those statistics — so there is one memory arena;
 * tfjs (no graph to change) gets the plain tfjs Stylizer with tone matching. close() frees everything.
 */
export async function createTiledStylizer(options: CreateTiledStylizerOptions = {}): Promise<TiledStylizer> {
  const tiling = {
    ...(options.tile !== undefined && { tile: options.tile }),
    ...(options.overlap !== undefined && { overlap: options.overlap }),
    ...(options.signal !== undefined && { signal: options.signal }),
  };
  if ((options.engine ?? 'onnx') !== 'onnx') return new TiledStylizer(await createStylizer(options), tiling);
  // The same checks and messages as createStylizer's.
  const device = options.device ?? 'cpu';
  if (!ONNX_DEVICES.includes(device)) throw new UsageError(`unknown device '${String(device)}' (${ONNX_DEVICES.join(', ')})`);
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 0)) {
    throw new UsageError(`threads must be a whole number ≥ 0, got ${options.threads}`);
  }
  const pkg: AnyModelPackage = typeof options.model === 'object' ? options.model : await loadAnyModelPackage(options.model);
  const runner = await createSharedNormRunner(pkg.onnx, { device, ...(options.threads !== undefined && { threads: options.threads }) });
  const inner: Stylizer = {
    description: onnxDescription(device, pkg, runner.threads),
    run: (frames) => runner.stylize(frames),
    close: () => runner.close(),
  };
  return new TiledStylizer(inner, { ...tiling, sharedNorm: runner });
}
