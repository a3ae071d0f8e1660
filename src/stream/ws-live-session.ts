/**
 * Live mode over the WebSocket fallback: the browser sends JPEG/WebP frames with a header, the server
 * stylizes the newest one and sends it back with the same frame id and capture timestamp, so the
 * browser measures end-to-end latency on its own clock.
 */
import type { WebSocket } from 'ws';
import { stylizerConcurrency, type Stylizer } from '../engine/stylizer.js';
import type { ServerMessage } from './protocol.js';
import { isInOrder, shouldSkipViewer } from './drop-policy.js';
import { decodeFrameMessage, encodeFrameMessage, type FrameHeader } from './frame-header.js';
import { decodeImageToRgb, encodeRgbImage } from './image-codec.js';
import type { LatestFrameWorker } from './latest-frame-worker.js';
import { createLiveFrameWorker } from './live-frame-worker.js';
import type { SessionStats } from './session-stats.js';

export interface WsLiveSessionOptions {
  /** The viewer's socket: its binary frames come in through onBinary(), stylized frames go out on it. */
  ws: WebSocket;
  /** This session's counters (the viewer's overlay and /api/stats read them). */
  stats: SessionStats;
  /** The model to run; setStylizer() replaces it when the viewer picks another. */
  getStylizer: () => Promise<Stylizer>;
  /** Skip sending while the socket holds more than this many unsent bytes. */
  bufferedThresholdBytes: number;
  /** JPEG/WebP quality of frames sent back (1–100). */
  quality: number;
  /** A decoding, model or sending error; the session keeps going. */
  onError: (err: unknown) => void;
  /** Sends a control message (the lane timings the viewer paces its sending by). Default: drops it. */
  sendControl?: (message: ServerMessage) => void;
}

interface Incoming {
  header: FrameHeader;
  /** Decoding starts on arrival (libvips threads), so a lane that takes the frame starts the model at once. */
  rgb: Promise<{ data: Uint8Array; width: number; height: number }>;
  arrivedAt: number;
}

export class WsLiveSession {
  private readonly worker: LatestFrameWorker<Incoming>;
  private lastSentId = -1;
  private closed = false;
  /** Stylized frames are encoded and sent in order, off the model lanes. */
  private emitting: Promise<void> = Promise.resolve();

  private readonly ws: WebSocket;
  private readonly stats: SessionStats;
  private getStylizer: () => Promise<Stylizer>;
  private readonly onError: (err: unknown) => void;

  constructor(private readonly options: WsLiveSessionOptions) {
    this.ws = options.ws;
    this.stats = options.stats;
    this.getStylizer = options.getStylizer;
    this.onError = options.onError;
    this.worker = createLiveFrameWorker<Incoming>((item) => this.process(item), this.stats, this.onError, options.sendControl ?? (() => undefined));
  }

  setStylizer(get: () => Promise<Stylizer>): void {
    this.getStylizer = get;
  }

  /** Handles one binary message; returns false when it is malformed (the caller closes 1007). */
  onBinary(message: Uint8Array): boolean {
    const parsed = decodeFrameMessage(message);
    if (!parsed) return false;
    this.stats.framesIn += 1;
    const rgb = decodeImageToRgb(parsed.payload);
    // A frame replaced in the slot is never awaited: its decoding error is of no interest.
    rgb.catch(() => undefined);
    this.worker.offer({ header: parsed.header, rgb, arrivedAt: performance.now() }, parsed.header.frameId);
    return true;
  }

  /** One model lane: stylizes a decoded frame; its encoding and sending are chained in order and do not hold the lane. */
  private async process(item: Incoming): Promise<void> {
    const rgb = await item.rgb;
    const stylizer = await this.getStylizer();
    // Frames stylized at once: the stylizer's concurrency, learnt when it is loaded.
    this.worker.setLanes(stylizerConcurrency(stylizer));
    const t0 = performance.now();
    const [out] = await stylizer.run([{ data: rgb.data, width: rgb.width, height: rgb.height, pts: item.header.captureTs / 1000, index: item.header.frameId }]);
    const modelMs = performance.now() - t0;
    this.stats.addModelMs(modelMs);
    if (!out || this.closed) return;
    const encoded = encodeRgbImage(out.data, out.width, out.height, item.header.codec, this.options.quality);
    // Encoding starts now (libvips threads); only the sending waits for the frames before it.
    encoded.catch(() => undefined);
    this.emitting = this.emitting
      .then(async () => {
        const image = await encoded;
        if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
        if (!isInOrder(item.header.frameId, this.lastSentId)) {
          this.stats.dropped += 1;
          return;
        }
        if (shouldSkipViewer(this.ws.bufferedAmount, this.options.bufferedThresholdBytes)) {
          this.stats.skipped += 1;
          this.stats.dropped += 1;
          return;
        }
        const header: FrameHeader = { codec: item.header.codec, frameId: item.header.frameId, captureTs: item.header.captureTs, width: out.width, height: out.height, modelUs: modelMs * 1000 };
        this.ws.send(encodeFrameMessage(header, image), { binary: true });
        this.lastSentId = item.header.frameId;
        this.stats.framesOut += 1;
        this.stats.addServerMs(performance.now() - item.arrivedAt);
      })
      .catch(this.onError);
  }

  /** Idempotent; waits for the frames in flight so their buffers are released. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.close();
    await this.emitting;
  }
}
