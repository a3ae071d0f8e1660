/**
 * Runs an async job on the newest frame only: while a frame is being processed, newer arrivals
 * replace the waiting one (the replaced frame is dropped and counted). One job at a time per worker,
 * so output order equals input order.
 */
import { emptySlot, offerLatest, takeLatest, type LatestSlot } from './drop-policy.js';

export class LatestFrameWorker<T> {
  private slot: LatestSlot<T> = emptySlot<T>();
  private running = false;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly process: (item: T) => Promise<void>,
    private readonly onDrop: (count: number) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Offers a frame with an increasing id; returns at once. */
  offer(item: T, id: number): void {
    if (this.closed) return;
    const { slot, dropped } = offerLatest(this.slot, item, id);
    this.slot = slot;
    if (dropped > 0) this.onDrop(dropped);
    if (!this.running) this.idle = this.loop();
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed) {
        const { slot, item } = takeLatest(this.slot);
        this.slot = slot;
        if (item === undefined) break;
        try {
          await this.process(item);
        } catch (err) {
          this.onError(err);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Stops taking frames and waits for the frame in flight. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.slot = emptySlot<T>();
    await this.idle;
  }
}
