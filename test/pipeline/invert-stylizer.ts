/**
 * Test double for operator and pipeline tests: a Stylizer that inverts colours (so a test can check
 * that every output frame went through it), optionally slow, counting calls and in-flight frames.
 */
import type { Stylizer } from '../../src/engine/stylizer.js';
import type { Frame } from '../../src/frame.js';

export interface InvertStylizer extends Stylizer {
  calls: number[];
  closed: boolean;
}

export function invertStylizer(delayMs = 0): InvertStylizer {
  const s: InvertStylizer = {
    description: 'test/invert',
    calls: [],
    closed: false,
    async run(frames: Frame[]): Promise<Frame[]> {
      s.calls.push(frames.length);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      return frames.map((f) => {
        const data = new Uint8Array(f.data.length);
        for (let i = 0; i < data.length; i++) data[i] = 255 - f.data[i]!;
        return { ...f, data };
      });
    },
    async close() {
      s.closed = true;
    },
  };
  return s;
}
