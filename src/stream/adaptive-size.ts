/**
 * Holds the live filter's frame rate by trading resolution for it, as real-time systems do: the
 * server measures how long each frame takes through the model (waiting for a free model lane
 * included, so another viewer or another process on the CPU counts) and picks the longest side the
 * model is given so that the next frames fit the target's time budget. Frames are scaled down to it
 * on the way in and back up to the camera's size on the way out (adaptive-size-stylizer.ts), so the
 * viewer always sees its own size and aspect ratio.
 *
 * Pure: no clocks, no I/O. The caller reports each finished frame; `side` is the decision.
 *
 * The cost model: a frame's time is proportional to its pixels, so to the square of its longest side
 * at a fixed aspect ratio. From each sample, ms / side² is smoothed (so one slow frame does not halve
 * the picture) and the side that fits `lanes × 1000 / targetFps × headroom` ms follows. Shrinking
 * happens at once (a stutter is worse than a softer picture); growing waits for a few frames at the
 * current size and grows by at most a quarter a step, so a size is never tried that the last samples
 * say is too slow. Sides are multiples of `quantum`, which keeps the number of distinct shapes the
 * runtime sees small, and a change smaller than the hysteresis band is ignored.
 */
import type { AdaptiveSizeView } from './protocol.js';

export interface AdaptiveSizeOptions {
  /** Frames a second to hold. Default: 15. */
  targetFps?: number;
  /** The floor: the longest side is never made smaller than this, whatever the load. Default: 144. */
  minSide?: number;
  /** The ceiling of the longest side (a camera smaller than it is never scaled up). Default: 1280. */
  maxSide?: number;
  /** Longest side before the first measurement. Default: 360. */
  startSide?: number;
  /** Frames the model runs at once (a stylizer's concurrency): throughput is lanes / frame time. Default: 1. */
  lanes?: number;
  /** Share of the frame budget the model may use (the rest: scaling, encoding, jitter). Default: 0.85. */
  headroom?: number;
  /** Sides are multiples of this (the model pads to 4; coarser steps keep the set of shapes ORT sees small). Default: 8. */
  quantum?: number;
}

/** What /api/stats and the viewer's overlay show: declared once, in the protocol module. */
export type AdaptiveSizeSnapshot = AdaptiveSizeView;

/** A finished frame, as the caller measured it. */
export interface AdaptiveSizeSample {
  /** Width and height the model ran at. */
  width: number;
  height: number;
  /** Time from handing the frame to the model lane to its result (ms). */
  frameMs: number;
  /** The caller's clock when it finished (ms, monotonic). */
  nowMs: number;
}

/** Smoothing weight of a new sample of the per-pixel cost. */
const COST_SMOOTHING = 0.3;
/** Relative change of the wanted side below which the side stays put. */
const HYSTERESIS = 0.08;
/** Frames at one size before it may grow. */
const SETTLE_FRAMES = 4;
/** Largest growth per step. */
const MAX_GROWTH = 1.25;
/** Window of the achieved frame rate (ms). */
const FPS_WINDOW_MS = 2000;

export class AdaptiveSize {
  readonly targetFps: number;
  readonly minSide: number;
  readonly maxSide: number;
  /** Frames the model runs at once; the server sets it from the stylizer's concurrency once it is open. */
  lanes: number;
  private readonly headroom: number;
  private readonly quantum: number;
  private current: number;
  /** Smoothed ms per side² (frame time of a square frame of side 1). */
  private cost: number | undefined;
  private frameMs: number | undefined;
  private sinceChange = 0;
  private lastSize: { width: number; height: number } | null = null;
  private readonly finished: number[] = [];

  constructor(options: AdaptiveSizeOptions = {}) {
    this.targetFps = options.targetFps ?? 15;
    this.quantum = options.quantum ?? 8;
    this.minSide = options.minSide ?? 144;
    this.maxSide = options.maxSide ?? 1280;
    this.lanes = options.lanes ?? 1;
    this.headroom = options.headroom ?? 0.85;
    if (!(this.targetFps > 0)) throw new RangeError(`targetFps must be > 0, got ${this.targetFps}`);
    if (!(this.minSide >= this.quantum && this.maxSide >= this.minSide)) throw new RangeError(`need quantum ≤ minSide ≤ maxSide, got ${this.quantum}, ${this.minSide}, ${this.maxSide}`);
    this.current = this.clamp(options.startSide ?? 360);
  }

  /** The longest side the model should be given now. */
  get side(): number {
    return this.current;
  }

  /** Time one frame may take through the model (ms). */
  get budgetMs(): number {
    return ((this.lanes * 1000) / this.targetFps) * this.headroom;
  }

  private clamp(side: number): number {
    const q = Math.round(side / this.quantum) * this.quantum;
    return Math.min(this.maxSide, Math.max(this.minSide, q));
  }

  /** Takes one finished frame into account; returns the (possibly new) side. */
  record(sample: AdaptiveSizeSample): number {
    const longest = Math.max(sample.width, sample.height);
    this.lastSize = { width: sample.width, height: sample.height };
    this.finished.push(sample.nowMs);
    while (this.finished.length > 0 && this.finished[0]! < sample.nowMs - FPS_WINDOW_MS) this.finished.shift();
    if (!(sample.frameMs > 0) || longest <= 0) return this.current;
    this.frameMs = this.frameMs === undefined ? sample.frameMs : this.frameMs + COST_SMOOTHING * (sample.frameMs - this.frameMs);
    const cost = sample.frameMs / (longest * longest);
    this.cost = this.cost === undefined ? cost : this.cost + COST_SMOOTHING * (cost - this.cost);
    this.sinceChange += 1;

    const wanted = Math.sqrt(this.budgetMs / this.cost);
    const change = wanted / this.current - 1;
    if (change < -HYSTERESIS) {
      // Late frames: shrink now, straight to the size the measurements say fits.
      this.setSide(this.clamp(Math.floor(wanted / this.quantum) * this.quantum));
    } else if (change > HYSTERESIS && this.sinceChange >= SETTLE_FRAMES && longest >= this.current) {
      // Spare time, measured at the current size (not on a frame smaller than it): grow gently.
      this.setSide(this.clamp(Math.min(wanted, this.current * MAX_GROWTH)));
    }
    return this.current;
  }

  private setSide(side: number): void {
    if (side !== this.current) this.sinceChange = 0;
    this.current = side;
  }

  snapshot(): AdaptiveSizeSnapshot {
    const f = this.finished;
    const span = f.length >= 2 ? f[f.length - 1]! - f[0]! : 0;
    return {
      targetFps: this.targetFps,
      minSide: this.minSide,
      maxSide: this.maxSide,
      side: this.current,
      lastSize: this.lastSize,
      frameMs: this.frameMs === undefined ? null : Math.round(this.frameMs * 10) / 10,
      achievedFps: span > 0 ? Math.round(((f.length - 1) * 1000 * 10) / span) / 10 : null,
    };
  }
}
