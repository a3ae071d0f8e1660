/**
 * Blends stylized tiles back into one rgb24 frame, one row of tiles at a time.
 *
 * Memory stays bounded by one strip (frame width × tile height × 3 floats) rather than a float copy
 * of the whole frame: a 6000×4000 frame needs a 74 MB strip at tile 1024 instead of 288 MB. Rows that
 * no later tile touches are rounded into the output as soon as their row of tiles is in; only the
 * hand-over ramp to the next row of tiles is carried over.
 */
import { axisWeights, type TilePlan } from './tile-plan.js';

/** Pixels of one stylized tile: rgb, row-major, tile.width*tile.height*3 values in [0,255]. */
export type TilePixels = Uint8Array | Float32Array;

export class TileBlender {
  private readonly plan: TilePlan;
  private readonly out: Uint8Array;
  private readonly colWeights: Float32Array[];
  private nextRow = 0;
  /** Weighted sums for frame rows [carryStart, carryStart + carry.length/(width*3)). */
  private carry: Float32Array | undefined;
  private carryStart = 0;

  /** `out` receives the blended frame (width*height*3 bytes); it is complete after the last row. */
  constructor(plan: TilePlan, out: Uint8Array) {
    if (out.length !== plan.width * plan.height * 3) throw new RangeError(`TileBlender: output has ${out.length} bytes, expected ${plan.width * plan.height * 3}`);
    this.plan = plan;
    this.out = out;
    this.colWeights = plan.cols.starts.map((_, i) => axisWeights(plan.cols, i));
  }

  /** True once every row of tiles has been added. */
  get done(): boolean {
    return this.nextRow >= this.plan.rows.starts.length;
  }

  /**
   * Adds row `row` of tiles (rows in order, each with its tiles left to right) and writes every
   * frame row that is now final into the output.
   */
  addRow(row: number, tiles: TilePixels[]): void {
    const { plan } = this;
    if (row !== this.nextRow) throw new RangeError(`TileBlender: expected row ${this.nextRow}, got ${row}`);
    if (tiles.length !== plan.cols.starts.length) throw new RangeError(`TileBlender: row ${row} has ${tiles.length} tiles, expected ${plan.cols.starts.length}`);
    const width = plan.width;
    const tw = plan.cols.tileLength;
    const th = plan.rows.tileLength;
    const rowStart = plan.rows.starts[row]!;
    const rowWeights = axisWeights(plan.rows, row);
    const stride = width * 3;
    const acc = new Float32Array(stride * th);
    if (this.carry) acc.set(this.carry, (this.carryStart - rowStart) * stride);

    tiles.forEach((pixels, col) => {
      if (pixels.length !== tw * th * 3) throw new RangeError(`TileBlender: tile ${row},${col} has ${pixels.length} values, expected ${tw * th * 3}`);
      const x0 = plan.cols.starts[col]!;
      const wx = this.colWeights[col]!;
      for (let y = 0; y < th; y += 1) {
        const wy = rowWeights[y]!;
        if (wy === 0) continue;
        let src = y * tw * 3;
        let dst = y * stride + x0 * 3;
        for (let x = 0; x < tw; x += 1, src += 3, dst += 3) {
          const w = wy * wx[x]!;
          if (w === 0) continue;
          acc[dst] = acc[dst]! + w * pixels[src]!;
          acc[dst + 1] = acc[dst + 1]! + w * pixels[src + 1]!;
          acc[dst + 2] = acc[dst + 2]! + w * pixels[src + 2]!;
        }
      }
    });

    // Frame rows before the next hand-over ramp get no weight from any later row of tiles: final.
    const nextRamp = plan.rows.ramps[row];
    const finalEnd = nextRamp ? nextRamp.from : plan.height;
    const finalStart = row === 0 ? 0 : plan.rows.ramps[row - 1]!.from;
    const out = this.out;
    for (let i = (finalStart - rowStart) * stride, o = finalStart * stride, end = (finalEnd - rowStart) * stride; i < end; i += 1, o += 1) {
      const v = acc[i]!;
      out[o] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
    if (nextRamp) {
      this.carry = acc.slice((nextRamp.from - rowStart) * stride);
      this.carryStart = nextRamp.from;
    } else {
      this.carry = undefined;
    }
    this.nextRow += 1;
  }
}
