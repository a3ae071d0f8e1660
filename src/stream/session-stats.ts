/**
 * Per-session counters for the viewer overlay and /api/stats. Latency and model time keep a short
 * window of recent samples so the numbers follow the live state rather than the session's history.
 */

import { median } from '../sample-stats.js';
import type { SessionStatsSnapshot } from './protocol.js';

export type { SessionStatsSnapshot } from './protocol.js';

const WINDOW = 120;

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function pushWindow(list: number[], value: number): void {
  list.push(value);
  if (list.length > WINDOW) list.shift();
}

export class SessionStats {
  framesIn = 0;
  framesOut = 0;
  dropped = 0;
  skipped = 0;
  /** WebRTC: the server side's RTP statistics per frame, refreshed by the session. */
  rtp: Record<string, number> | null = null;
  private readonly modelMs: number[] = [];
  private readonly latencyMs: number[] = [];
  private readonly serverMs: number[] = [];
  private readonly laneWaitMs: number[] = [];
  private readonly laneIdleMs: number[] = [];
  private readonly startedAt = new Date().toISOString();

  constructor(
    readonly id: string,
    readonly transport: 'webrtc' | 'ws',
    readonly mode: 'live' | 'broadcast',
    public model: string,
  ) {}

  addModelMs(ms: number): void {
    pushWindow(this.modelMs, ms);
  }

  /** Median model time of the recent window (ms), null before the first frame. */
  recentModelMs(): number | null {
    const m = median(this.modelMs);
    return m === null ? null : Math.round(m * 10) / 10;
  }

  addLatencyMs(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0 && ms < 60_000) pushWindow(this.latencyMs, ms);
  }

  /** A model lane took a frame: how long the frame waited for it, or it for the frame (ms). */
  addLaneStart(waitedMs: number, idleMs: number): void {
    pushWindow(this.laneWaitMs, waitedMs);
    // The first frame finds a lane idle since the session began: not a pacing figure.
    if (this.laneWaitMs.length > 1) pushWindow(this.laneIdleMs, idleMs);
  }

  addServerMs(ms: number): void {
    pushWindow(this.serverMs, ms);
  }

  snapshot(): SessionStatsSnapshot {
    const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);
    return {
      id: this.id,
      transport: this.transport,
      mode: this.mode,
      model: this.model,
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      dropped: this.dropped,
      skipped: this.skipped,
      modelMs: round(median(this.modelMs)),
      latencyMs: round(median(this.latencyMs)),
      serverMs: round(median(this.serverMs)),
      laneWaitMs: round(mean(this.laneWaitMs)),
      laneIdleMs: round(mean(this.laneIdleMs)),
      rtp: this.rtp ? Object.fromEntries(Object.entries(this.rtp).map(([k, v]) => [k, Math.round(v * 10) / 10])) : null,
      startedAt: this.startedAt,
    };
  }
}
