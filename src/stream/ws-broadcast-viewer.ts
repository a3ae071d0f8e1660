/**
 * Broadcast mode over the WebSocket fallback: the viewer receives the hub's frames, encoded once for all
 * WebSocket viewers; a viewer whose socket is still busy is skipped for that frame (the hub decides).
 */
import type { WebSocket } from 'ws';
import type { BroadcastHub } from './broadcast-hub.js';
import type { SessionStats } from './session-stats.js';

export interface WsBroadcastViewerOptions {
  /** The viewer's socket; frames go out on it as binary messages. */
  ws: WebSocket;
  /** This viewer's counters (the viewer's overlay and /api/stats read them). */
  stats: SessionStats;
  /** The broadcast it watches; the viewer subscribes now and leaves on close. */
  hub: BroadcastHub;
}

export class WsBroadcastViewer {
  private readonly leave: () => void;

  constructor(options: WsBroadcastViewerOptions) {
    const { ws, stats } = options;
    this.leave = options.hub.add({
      bufferedAmount: () => ws.bufferedAmount,
      sendMessage: (message) => {
        if (ws.readyState === ws.OPEN) ws.send(message, { binary: true });
      },
      onSent: (ms) => {
        stats.framesOut += 1;
        stats.addModelMs(ms);
      },
      // A skipped frame is a dropped one for this viewer: it never sees it.
      onSkipped: () => {
        stats.skipped += 1;
        stats.dropped += 1;
      },
    });
  }

  /** Leaves the broadcast. Idempotent (leaving twice removes nothing more). */
  close(): Promise<void> {
    this.leave();
    return Promise.resolve();
  }
}
