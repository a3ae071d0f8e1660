/**
 * One Stylizer per model, shared by every session that uses it (ONNX Runtime sessions are
 * thread-safe and heavy: loading one per viewer would multiply memory). Opened on first use, closed
 * with the server.
 */
import type { Stylizer } from '../engine/stylizer.js';

/** Opens a Stylizer for a model directory. */
export type StylizerFactory = (modelDir: string) => Promise<Stylizer>;

export class StylizerPool {
  private readonly open = new Map<string, Promise<Stylizer>>();
  private closed = false;

  constructor(private readonly factory: StylizerFactory) {}

  get(modelDir: string): Promise<Stylizer> {
    if (this.closed) return Promise.reject(new Error('stylizer pool is closed'));
    let s = this.open.get(modelDir);
    if (!s) {
      s = this.factory(modelDir);
      this.open.set(modelDir, s);
      // A failed load is not cached: the next session retries (the file may have been fixed).
      s.catch(() => this.open.delete(modelDir));
    }
    return s;
  }

  /** Closes every Stylizer. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.close()));
  }
}
