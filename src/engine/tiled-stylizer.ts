/**
 * A Stylizer for frames of any size with bounded memory: frames larger than `tile` are cut into
 * overlapping tiles (src/engine/tiling/tile-plan.ts), each tile is stylized by the wrapped Stylizer,
 * corrected toward a stylized downscaled copy of the whole frame (tone-match.ts) and blended back with
 * a smooth weight ramp across the overlap (tile-blender.ts). Frames that fit go straight through.
 *
 * The model's working memory grows with the pixels of one run (activations of every layer), so a
 * 6000×4000 photo in one run needs many GB; tiles of 1024² keep it at the cost of one 1024² frame.
 * Because videos use Stylizers too, wrapping the pipeline's Stylizer gives `--tile` to video.
 */
import { throwIfAborted } from '../errors.js';
import type { Frame } from '../frame.js';
import type { Stylizer } from './stylizer.js';
import { cropTile } from './tiling/crop-tile.js';
import { resizeArea } from './tiling/resize-area.js';
import { TileBlender, type TilePixels } from './tiling/tile-blender.js';
import { planTiles, type TilePlan } from './tiling/tile-plan.js';
import { matchTone, type ToneMode, type ToneReference } from './tiling/tone-match.js';

/** Default largest tile side: a 1024² run of the `fast` generator fits in a few hundred MB. */
export const DEFAULT_TILE = 1024;

export interface TiledStylizerOptions {
  /** Largest tile side in pixels; frames whose sides both fit go through untiled. Default: 1024. */
  tile?: number;
  /** Smallest overlap between neighbouring tiles in pixels, ≤ tile/3. Default: tile/8. */
  overlap?: number;
  /** Tone correction of tiles toward a downscaled whole-frame stylization. Default: 'lowfreq'. */
  tone?: ToneMode;
  /** Longest side of the downscaled whole-frame reference. Default: min(tile, 512). */
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
  private readonly tone: ToneMode;
  private readonly referenceSide: number;
  private readonly tileBatch: number;
  private readonly closeInner: boolean;
  private readonly signal: AbortSignal | undefined;
  private closed = false;

  constructor(inner: Stylizer, options: TiledStylizerOptions = {}) {
    this.tile = options.tile ?? DEFAULT_TILE;
    this.overlap = options.overlap ?? Math.round(this.tile / 8);
    // Validates tile and overlap once, here, rather than on the first huge frame.
    planTiles(this.tile + 1, 1, { tile: this.tile, overlap: this.overlap });
    this.tone = options.tone ?? 'lowfreq';
    this.referenceSide = options.referenceSide ?? Math.min(this.tile, 512);
    if (!Number.isInteger(this.referenceSide) || this.referenceSide < 16) throw new RangeError(`referenceSide must be an integer ≥ 16, got ${this.referenceSide}`);
    this.tileBatch = options.tileBatch ?? 1;
    if (!Number.isInteger(this.tileBatch) || this.tileBatch < 1) throw new RangeError(`tileBatch must be an integer ≥ 1, got ${this.tileBatch}`);
    this.closeInner = options.closeInner ?? true;
    this.signal = options.signal;
    this.inner = inner;
    this.description = `${inner.description} tiled ${this.tile}px/${this.overlap}px tone=${this.tone}`;
  }

  /** The tiles a width×height frame is cut into (one tile when it fits). */
  plan(width: number, height: number): TilePlan {
    return planTiles(width, height, { tile: this.tile, overlap: this.overlap });
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
    const reference = this.tone === 'none' ? undefined : await this.reference(frame);
    const data = new Uint8Array(width * height * 3);
    const blender = new TileBlender(plan, data);
    const cols = plan.cols.starts.length;
    for (let row = 0; row < plan.rows.starts.length; row += 1) {
      const rects = plan.tiles.slice(row * cols, (row + 1) * cols);
      const pixels: TilePixels[] = [];
      for (let i = 0; i < rects.length; i += this.tileBatch) {
        throwIfAborted(this.signal);
        const group = rects.slice(i, i + this.tileBatch);
        const styled = await this.inner.run(group.map((r) => ({ data: cropTile(frame.data, width, r), width: r.width, height: r.height, pts: frame.pts, index: frame.index })));
        styled.forEach((s, k) => pixels.push(matchTone(s.data, group[k]!, reference, this.tone)));
      }
      blender.addRow(row, pixels);
    }
    return { data, width, height, pts: frame.pts, index: frame.index };
  }

  /** Stylizes a downscaled copy of the whole frame once: the tone every tile is corrected toward. */
  private async reference(frame: Frame): Promise<ToneReference> {
    const scale = Math.min(1, this.referenceSide / Math.max(frame.width, frame.height));
    const rw = Math.max(1, Math.round(frame.width * scale));
    const rh = Math.max(1, Math.round(frame.height * scale));
    throwIfAborted(this.signal);
    const small = resizeArea(frame.data, frame.width, frame.height, rw, rh);
    const [styled] = await this.inner.run([{ data: small, width: rw, height: rh, pts: frame.pts, index: frame.index }]);
    if (!styled) throw new Error('TiledStylizer: the wrapped Stylizer returned no frame');
    return { data: styled.data, width: rw, height: rh, frameWidth: frame.width, frameHeight: frame.height };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.closeInner) await this.inner.close();
  }
}
