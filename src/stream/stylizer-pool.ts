/**
 * One Stylizer per model, shared by every session that uses it (ONNX Runtime sessions are
 * thread-safe and heavy: loading one per viewer would multiply memory). Opened on first use, closed
 * with the server.
 */
import type { Stylizer } from '../engine/stylizer.js';
import { ClosedError } from '../errors.js';

/** Opens a Stylizer for a model directory. */
export type StylizerFactory = (modelDir: string) => Promise<Stylizer>;

export class StylizerPool {
  private readonly open = new Map<string, Promise<Stylizer>>();
  /** The loaded ones, read by restarts() without waiting. */
  private readonly loaded = new Set<Stylizer>();
  private closed = false;

  constructor(private readonly factory: StylizerFactory) {}

  get(modelDir: string): Promise<Stylizer> {
    if (this.closed) return Promise.reject(new ClosedError('the stylizer pool'));
    let s = this.open.get(modelDir);
    if (!s) {
      s = this.factory(modelDir);
      this.open.set(modelDir, s);
      // A failed load is not cached: the next session retries (the file may have been fixed).
      s.then(
        (stylizer) => this.loaded.add(stylizer),
        () => this.open.delete(modelDir),
      );
    }
    return s;
  }

  /** Inference workers restarted after dying, over every loaded stylizer (supervised ones count theirs). */
  restarts(): number {
    let n = 0;
    for (const s of this.loaded) n += s.restarts ?? 0;
    return n;
  }

  /** Closes every Stylizer. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.open.values()];
    this.open.clear();
    this.loaded.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.close()));
  }
}
