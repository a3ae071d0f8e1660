/**
 * Broadcast mode: ffmpeg decodes a file (looped, at its native rate) or a camera on the server, the
 * newest decoded frame is stylized once, and the result fans out to every viewer: JPEG encoded once
 * for all WebSocket viewers, I420 converted once for all WebRTC viewers. A viewer whose socket is
 * still busy is skipped for that frame; the others never wait for it.
 */
import type { Stylizer } from '../engine/stylizer.js';
import { AbortedError } from '../errors.js';
import type { Frame } from '../frame.js';
import { decodeFrames, type FrameDecoder } from '../media/decode-frames.js';
import { probeMedia, type Rational } from '../media/probe.js';
import { shouldSkipViewer } from './drop-policy.js';
import { encodeFrameMessage, type FrameCodec } from './frame-header.js';
import { rgb24ToI420 } from './i420.js';
import { encodeRgbImage } from './image-codec.js';
import { LatestFrameWorker } from './latest-frame-worker.js';
import type { WrtcVideoFrame } from './wrtc-binding.js';

/** One viewer as the hub sees it. */
export interface BroadcastViewer {
  /** WebSocket viewers: bytes still unsent; skipped past the threshold. */
  readonly bufferedAmount?: () => number;
  /** Sends one encoded frame message (WebSocket viewers). */
  sendMessage?: (message: Uint8Array) => void;
  /** Sends one I420 frame (WebRTC viewers). */
  sendI420?: (frame: WrtcVideoFrame) => void;
  /** Counts the frame as sent or skipped for this viewer's stats. */
  onSent: (modelMs: number) => void;
  onSkipped: () => void;
}

export interface BroadcastHubOptions {
  /** Video file or capture device (/dev/videoN). */
  source: string;
  /** Largest side of the broadcast frames (scaled in ffmpeg, aspect kept, even sizes). Default: 360. */
  maxSide?: number;
  /** Skip a WebSocket viewer holding more than this many unsent bytes. Default: 1 MiB. */
  bufferedThresholdBytes?: number;
  /** Image codec and quality of WebSocket frames. Default: jpeg, 80. */
  codec?: FrameCodec;
  quality?: number;
  /** The model used for the broadcast. */
  getStylizer: () => Promise<Stylizer>;
  /** Called on a decode or model error (the hub keeps going: it restarts the decoder). */
  onError?: (err: unknown) => void;
}

/** Display size scaled so the longer side is at most maxSide, both sides even (yuv420 encoders need it). */
export function fitSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const even = (v: number): number => Math.max(2, Math.round((v * scale) / 2) * 2);
  return { width: even(width), height: even(height) };
}

export class BroadcastHub {
  private readonly viewers = new Set<BroadcastViewer>();
  private readonly controller = new AbortController();
  private readonly worker: LatestFrameWorker<Frame>;
  private decoder: FrameDecoder | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  /** Counters for /api/stats. */
  readonly counters = { decoded: 0, stylized: 0, dropped: 0, modelMs: 0 };

  constructor(private readonly options: BroadcastHubOptions) {
    this.worker = new LatestFrameWorker<Frame>(
      (frame) => this.process(frame),
      (n) => {
        this.counters.dropped += n;
      },
      (err) => this.options.onError?.(err),
    );
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  add(viewer: BroadcastViewer): () => void {
    this.viewers.add(viewer);
    return () => this.viewers.delete(viewer);
  }

  private geometry: { width: number; height: number; frameRate: Rational } | undefined;

  /**
   * Probes the source (files; devices are taken as 640×480 at 30 fps) so that a missing or broken
   * --source fails at start with ffprobe's reason, not when the first viewer arrives.
   */
  async prepare(): Promise<void> {
    if (this.geometry) return;
    if (this.options.source.startsWith('/dev/video')) {
      this.geometry = { width: 640, height: 480, frameRate: { num: 30, den: 1 } };
      return;
    }
    const info = await probeMedia(this.options.source);
    this.geometry = { width: info.width, height: info.height, frameRate: info.frameRate };
  }

  /** Starts decoding (idempotent). Errors go to onError; the hub then retries. */
  start(): void {
    this.running ??= this.decodeLoop().catch((err: unknown) => this.options.onError?.(err));
  }

  private async decodeLoop(): Promise<void> {
    const { source } = this.options;
    const isDevice = source.startsWith('/dev/video');
    await this.prepare();
    const { width, height, frameRate } = this.geometry!;
    const size = fitSize(width, height, this.options.maxSide ?? 360);
    while (!this.closed) {
      const decoder = decodeFrames(source, {
        width: size.width,
        height: size.height,
        frameRate,
        scale: true,
        realtime: true,
        loop: !isDevice,
        signal: this.controller.signal,
        ...(isDevice ? { inputFormat: 'v4l2' } : {}),
      });
      this.decoder = decoder;
      try {
        for await (const frame of decoder) {
          if (this.closed) break;
          this.counters.decoded += 1;
          // Nobody watching: decode on (the file keeps its clock) but spend no inference.
          if (this.viewers.size > 0) this.worker.offer(frame, this.counters.decoded);
        }
      } catch (err) {
        if (this.closed || err instanceof AbortedError) return;
        this.options.onError?.(err);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async process(frame: Frame): Promise<void> {
    const stylizer = await this.options.getStylizer();
    const t0 = performance.now();
    const [out] = await stylizer.run([frame]);
    const modelMs = performance.now() - t0;
    if (!out || this.closed) return;
    this.counters.stylized += 1;
    this.counters.modelMs = modelMs;
    const viewers = [...this.viewers];
    let message: Uint8Array | undefined;
    let i420: WrtcVideoFrame | undefined;
    const threshold = this.options.bufferedThresholdBytes ?? 1 << 20;
    for (const v of viewers) {
      if (v.sendMessage) {
        if (shouldSkipViewer(v.bufferedAmount?.() ?? 0, threshold)) {
          v.onSkipped();
          continue;
        }
        if (!message) {
          const codec = this.options.codec ?? 'jpeg';
          const image = await encodeRgbImage(out.data, out.width, out.height, codec, this.options.quality ?? 80);
          message = encodeFrameMessage({ codec, frameId: this.counters.stylized, captureTs: performance.timeOrigin + performance.now() - modelMs, width: out.width, height: out.height, modelUs: modelMs * 1000 }, image);
        }
        v.sendMessage(message);
        v.onSent(modelMs);
      } else if (v.sendI420) {
        i420 ??= { width: out.width, height: out.height, data: rgb24ToI420(out.data, out.width, out.height) };
        v.sendI420(i420);
        v.onSent(modelMs);
      }
    }
  }

  /** Stops ffmpeg and the model loop. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.controller.abort();
    await this.decoder?.close();
    await this.worker.close();
    await this.running?.catch(() => undefined);
    this.viewers.clear();
  }
}
