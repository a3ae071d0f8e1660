/**
 * Runs an async job on the newest frame only: while every lane is busy, newer arrivals replace the
 * waiting one (the replaced frame is dropped and counted). One lane (the default) runs one job at a
 * time; more lanes let as many frames be in flight at once (a stylizer with several inference
 * threads), each lane taking the newest waiting frame when it frees up. Frames start in arrival
 * order; the caller keeps output order (drop-policy's isInOrder).
 */
import { emptySlot, offerLatest, takeLatest, type LatestSlot } from './drop-policy.js';

/** How a frame met its lane: what the browser's send pacing learns from. */
export interface LaneStart {
  /** How long the frame sat in the slot before a lane took it (ms); 0 when a lane was idle. */
  waitedMs: number;
  /** How long the lane that took it had been idle before it arrived (ms); 0 when the frame waited. */
  idleMs: number;
}

interface Waiting<T> {
  item: T;
  arrivedAt: number;
}

export class LatestFrameWorker<T> {
  private slot: LatestSlot<Waiting<T>> = emptySlot<Waiting<T>>();
  private running = 0;
  private laneCount = 1;
  private closed = false;
  /** When each idle lane became idle (oldest first); busy lanes are not listed. */
  private idleSince: number[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly process: (item: T) => Promise<void>,
    private readonly onDrop: (count: number) => void,
    private readonly onError: (err: unknown) => void,
    private readonly onStart: (start: LaneStart) => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.idleSince = [this.now()];
  }

  /** How many frames may be processed at once (a stylizer's concurrency). Takes effect at once. */
  setLanes(lanes: number): void {
    if (!Number.isInteger(lanes) || lanes < 1) throw new RangeError(`lanes must be a whole number ≥ 1, got ${lanes}`);
    if (lanes === this.laneCount) return;
    const now = this.now();
    while (this.running + this.idleSince.length < lanes) this.idleSince.push(now);
    while (this.idleSince.length > 0 && this.running + this.idleSince.length > lanes) this.idleSince.pop();
    this.laneCount = lanes;
    this.pump();
  }

  /** How many frames may be processed at once. */
  get lanes(): number {
    return this.laneCount;
  }

  /** Frames being processed now. */
  get busy(): number {
    return this.running;
  }

  /** Offers a frame with an increasing id; returns at once. */
  offer(item: T, id: number): void {
    if (this.closed) return;
    const { slot, dropped } = offerLatest(this.slot, { item, arrivedAt: this.now() }, id);
    this.slot = slot;
    if (dropped > 0) this.onDrop(dropped);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.running < this.laneCount) {
      const { slot, item } = takeLatest(this.slot);
      if (item === undefined) return;
      this.slot = slot;
      const now = this.now();
      const laneIdleSince = this.idleSince.shift() ?? now;
      // A lane idle since before the frame arrived waited for the frame; otherwise the frame waited.
      this.onStart({ waitedMs: Math.max(0, now - item.arrivedAt), idleMs: Math.max(0, item.arrivedAt - laneIdleSince) });
      this.running += 1;
      const job = this.run(item.item);
      this.inFlight.add(job);
      void job.finally(() => this.inFlight.delete(job));
    }
  }

  private async run(item: T): Promise<void> {
    try {
      await this.process(item);
    } catch (err) {
      this.onError(err);
    } finally {
      this.running -= 1;
      if (this.running + this.idleSince.length < this.laneCount) this.idleSince.push(this.now());
      this.pump();
    }
  }

  /** Stops taking frames and waits for the frames in flight. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.slot = emptySlot<Waiting<T>>();
    await Promise.all([...this.inFlight]);
  }
}
