/**
 * Pure tile geometry: where to cut a frame that is too large for one model run, and how much weight
 * each tile's pixels get when the stylized tiles are blended back.
 *
 * Along each axis the tiles all have the same length (so one batch holds them all and the model sees
 * one input shape), are spread evenly, and overlap by at least `overlap` pixels. Each pair of
 * neighbours hands over across a ramp of `ramp` pixels centred in their overlap: the pixels nearest a
 * tile's edge (where the convolutions saw padding instead of image) get no weight, and the weights of
 * the two tiles always sum to exactly 1, so blending needs no weight-sum buffer.
 */

/** One axis of a plan: tile start offsets, the common tile length and the hand-over points. */
export interface AxisPlan {
  /** Length of the axis (frame width or height). */
  length: number;
  /** Length of every tile on this axis (= `length` when the axis needs one tile). */
  tileLength: number;
  /** Start offset of each tile, increasing; the last tile ends at `length`. */
  starts: number[];
  /**
   * Hand-over ramps between tile i and i+1: `[from, to)` in frame coordinates. Tile i owns the
   * axis up to `from`, tile i+1 from `to` on; in between the weight moves smoothly from one to the other.
   */
  ramps: Array<{ from: number; to: number }>;
}

/** One tile of a 2-D plan. */
export interface TileRect {
  /** Column of the tile's left edge in the frame. */
  x: number;
  /** Row of the tile's top edge in the frame. */
  y: number;
  width: number;
  height: number;
  /** Column index of the tile in the plan's grid. */
  col: number;
  /** Row index of the tile in the plan's grid. */
  row: number;
}

export interface TilePlan {
  width: number;
  height: number;
  cols: AxisPlan;
  rows: AxisPlan;
  /** Tiles in row-major order (all rows of tiles top to bottom, each left to right). */
  tiles: TileRect[];
}

export interface TilePlanOptions {
  /** Largest tile side in pixels. Frames whose sides both fit get one tile. Required, ≥ 16. */
  tile: number;
  /** Smallest overlap between neighbouring tiles in pixels. Default: tile/8, rounded. At most tile/3. */
  overlap?: number;
  /** Width of the hand-over ramp in pixels, ≤ overlap. Default: overlap. */
  ramp?: number;
}

/**
 * Plans one axis: the fewest tiles of length ≤ `tile` that cover `length` with at least `overlap`
 * pixels between neighbours, spread evenly.
 */
export function planAxis(length: number, tile: number, overlap: number, ramp: number): AxisPlan {
  if (!Number.isInteger(length) || length <= 0) throw new RangeError(`planAxis: bad length ${length}`);
  if (length <= tile) return { length, tileLength: length, starts: [0], ramps: [] };
  const stride = tile - overlap;
  const n = Math.ceil((length - overlap) / stride);
  const span = length - tile;
  const starts: number[] = [];
  for (let i = 0; i < n; i += 1) starts.push(Math.round((span * i) / (n - 1)));
  const ramps: Array<{ from: number; to: number }> = [];
  for (let i = 0; i + 1 < n; i += 1) {
    const next = starts[i + 1]!;
    const end = starts[i]! + tile;
    // The hand-over sits in the middle of the overlap, as far as possible from both tiles' edges.
    const from = Math.round((next + end - ramp) / 2);
    ramps.push({ from, to: from + ramp });
  }
  return { length, tileLength: tile, starts, ramps };
}

/** Plans the tiles of a width×height frame. One tile when both sides fit in `options.tile`. */
export function planTiles(width: number, height: number, options: TilePlanOptions): TilePlan {
  const tile = options.tile;
  if (!Number.isInteger(tile) || tile < 16) throw new RangeError(`tile must be an integer ≥ 16, got ${tile}`);
  const overlap = options.overlap ?? Math.round(tile / 8);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > Math.floor(tile / 3)) {
    throw new RangeError(`overlap must be an integer in [0, tile/3 = ${Math.floor(tile / 3)}], got ${overlap}`);
  }
  const ramp = options.ramp ?? overlap;
  if (!Number.isInteger(ramp) || ramp < 0 || ramp > overlap) throw new RangeError(`ramp must be an integer in [0, overlap = ${overlap}], got ${ramp}`);
  const cols = planAxis(width, tile, overlap, ramp);
  const rows = planAxis(height, tile, overlap, ramp);
  const tiles: TileRect[] = [];
  rows.starts.forEach((y, row) => {
    cols.starts.forEach((x, col) => {
      tiles.push({ x, y, width: cols.tileLength, height: rows.tileLength, col, row });
    });
  });
  return { width, height, cols, rows, tiles };
}

/**
 * Smooth (C¹) step from 0 to 1 over u ∈ [0,1]: a linear ramp leaves a kink in the blended image's
 * gradient at both ends of the overlap, which shows as a faint line; smoothstep does not. And
 * smoothstep(u) + smoothstep(1-u) = 1, so two complementary ramps still sum to exactly 1.
 */
export function smoothstep(u: number): number {
  const t = u <= 0 ? 0 : u >= 1 ? 1 : u;
  return t * t * (3 - 2 * t);
}

/**
 * Weight of tile `index` at each of its own pixels along one axis (length `tileLength`): 0 before the
 * ramp from the previous tile, rising across it, 1 in the middle, falling across the ramp to the next.
 * For every frame coordinate the weights of the tiles covering it sum to 1.
 */
export function axisWeights(axis: AxisPlan, index: number): Float32Array {
  const start = axis.starts[index];
  if (start === undefined) throw new RangeError(`axisWeights: no tile ${index}`);
  const w = new Float32Array(axis.tileLength);
  const before = index > 0 ? axis.ramps[index - 1] : undefined;
  const after = axis.ramps[index];
  for (let i = 0; i < w.length; i += 1) {
    // Sample at the pixel centre so a ramp of r pixels has r distinct weights strictly between 0 and 1.
    const p = start + i + 0.5;
    let v = 1;
    if (before) v = before.to === before.from ? (p >= before.from ? 1 : 0) : smoothstep((p - before.from) / (before.to - before.from));
    if (after) v *= after.to === after.from ? (p < after.from ? 1 : 0) : 1 - smoothstep((p - after.from) / (after.to - after.from));
    w[i] = v;
  }
  return w;
}
