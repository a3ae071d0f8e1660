/**
 * The frame worker of a live session (WebRTC or WebSocket): the newest frame wins and the replaced
 * ones are counted as dropped, and every time a model lane takes a frame the browser hears how long
 * the frame waited or the lane idled, for its send pacing (send-pacer.ts).
 */
import type { ServerMessage } from './protocol.js';
import { LatestFrameWorker } from './latest-frame-worker.js';
import type { SessionStats } from './session-stats.js';

const tenths = (ms: number): number => Math.round(ms * 10) / 10;

export function createLiveFrameWorker<T>(process: (item: T) => Promise<void>, stats: SessionStats, onError: (err: unknown) => void, sendControl: (message: ServerMessage) => void): LatestFrameWorker<T> {
  const worker: LatestFrameWorker<T> = new LatestFrameWorker<T>(
    process,
    (n) => {
      stats.dropped += n;
    },
    onError,
    (start) => {
      stats.addLaneStart(start.waitedMs, start.idleMs);
      sendControl({ type: 'took', waitedMs: tenths(start.waitedMs), idleMs: tenths(start.idleMs), modelMs: stats.recentModelMs() ?? 0, lanes: worker.lanes });
    },
  );
  return worker;
}
