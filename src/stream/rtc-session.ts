/**
 * A WebRTC viewer. Live mode: the browser's camera track arrives through an RTCVideoSink as I420, the
 * newest frame is stylized and sent back through an RTCVideoSource (VP8) on the same transceiver.
 * Broadcast mode: the broadcast hub pushes ready I420 frames into the source.
 *
 * Signalling runs over the session's WebSocket. The server answers without trickle (its candidates are
 * in the answer); the browser may trickle.
 */
import type { Stylizer } from '../engine/stylizer.js';
import type { ServerMessage } from './control-message.js';
import { filterSdpCandidates, isLoopbackCandidate } from './control-message.js';
import { isInOrder } from './drop-policy.js';
import { readStampI420, writeStampI420 } from './frame-stamp.js';
import { i420Size, i420ToRgb24, rgb24ToI420 } from './i420.js';
import { LatestFrameWorker } from './latest-frame-worker.js';
import type { SessionStats } from './session-stats.js';
import { stylizerConcurrency } from './stylizer-thread.js';
import { loadWrtc, type WrtcIceCandidateInit, type WrtcIceServer, type WrtcPeerConnection, type WrtcVideoFrame, type WrtcVideoSink, type WrtcVideoSource, type WrtcTrack } from './wrtc-binding.js';

export interface RtcSessionOptions {
  mode: 'live' | 'broadcast';
  /** STUN/TURN servers given to the peer connection; none needed on one machine. */
  iceServers: WrtcIceServer[];
  /** Offer and dial only loopback candidates (the server is bound to loopback). */
  loopbackOnly: boolean;
  /** How long to wait for ICE gathering before answering anyway (ms). */
  gatherTimeoutMs: number;
  /** Frames the stylizer runs at once (the session's lanes). Default: 1. */
  lanes?: number;
  /** Copy the frame-number stamp of each received frame into its stylized frame (frame-stamp.ts). Default: false. */
  stamp?: boolean;
}

interface SinkFrame {
  id: number;
  frame: WrtcVideoFrame;
  arrivedAt: number;
}

export class RtcSession {
  private pc: WrtcPeerConnection | undefined;
  private source: WrtcVideoSource | undefined;
  private sourceTrack: WrtcTrack | undefined;
  private sink: WrtcVideoSink | undefined;
  private remoteTrack: WrtcTrack | undefined;
  private worker: LatestFrameWorker<SinkFrame> | undefined;
  private nextId = 0;
  private closed = false;
  private lastSentId = -1;
  /** Stylized frames are converted and sent in order, off the model lanes. */
  private emitting: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (message: ServerMessage) => void,
    private readonly stats: SessionStats,
    private getStylizer: () => Promise<Stylizer>,
    private readonly options: RtcSessionOptions,
    private readonly onGone: () => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  setStylizer(get: () => Promise<Stylizer>): void {
    this.getStylizer = get;
  }

  get connected(): boolean {
    return this.pc?.connectionState === 'connected';
  }

  async onOffer(sdp: string): Promise<void> {
    if (this.closed) return;
    if (this.pc) throw new Error('offer received twice');
    const wrtc = loadWrtc();
    const pc = new wrtc.RTCPeerConnection({ iceServers: this.options.iceServers });
    this.pc = pc;
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      // 'disconnected' can recover, 'failed'/'closed' cannot: the browser is gone.
      if (state === 'failed' || state === 'closed') this.onGone();
    };
    if (this.options.mode === 'live') {
      pc.ontrack = ({ track }) => {
        if (track.kind !== 'video' || this.sink || this.closed) return;
        this.attachSink(track);
      };
    }
    this.source = new wrtc.nonstandard.RTCVideoSource();
    this.sourceTrack = this.source.createTrack();
    await pc.setRemoteDescription({ type: 'offer', sdp });
    pc.addTrack(this.sourceTrack, new wrtc.MediaStream([this.sourceTrack]));
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    await this.waitForGathering(pc);
    if (this.closed) return;
    const local = pc.localDescription?.sdp ?? answer.sdp;
    this.send({ type: 'answer', sdp: this.options.loopbackOnly ? filterSdpCandidates(local, isLoopbackCandidate) : local });
  }

  async onCandidate(candidate: WrtcIceCandidateInit): Promise<void> {
    if (!this.pc || this.closed) return;
    if (candidate.candidate === '') return; // end-of-candidates
    if (this.options.loopbackOnly && !isLoopbackCandidate(candidate.candidate)) return;
    await this.pc.addIceCandidate(candidate);
  }

  private waitForGathering(pc: WrtcPeerConnection): Promise<void> {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.options.gatherTimeoutMs);
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      };
    });
  }

  private attachSink(track: WrtcTrack): void {
    const wrtc = loadWrtc();
    this.remoteTrack = track;
    this.worker = new LatestFrameWorker<SinkFrame>(
      (item) => this.process(item),
      (n) => {
        this.stats.dropped += n;
      },
      this.onError,
      // Live-mode feedback for the browser's send pacing (send-pacer.ts).
      (start) => this.send({ type: 'took', waitedMs: Math.round(start.waitedMs * 10) / 10, idleMs: Math.round(start.idleMs * 10) / 10, modelMs: this.stats.recentModelMs() ?? 0 }),
    );
    this.worker.setLanes(this.options.lanes ?? 1);
    const sink = new wrtc.nonstandard.RTCVideoSink(track);
    this.sink = sink;
    sink.onframe = ({ frame }) => {
      if (this.closed) return;
      this.stats.framesIn += 1;
      // The native side reuses its buffer: copy before the next callback.
      const copy: WrtcVideoFrame = { width: frame.width, height: frame.height, data: frame.data.slice(0, i420Size(frame.width, frame.height)) };
      const id = this.nextId++;
      this.worker?.offer({ id, frame: copy, arrivedAt: performance.now() }, id);
    };
  }

  /** One model lane: converts and stylizes a frame; its sending is chained in order and does not hold the lane. */
  private async process(item: SinkFrame): Promise<void> {
    const { width, height, data } = item.frame;
    const stamp = this.options.stamp ? readStampI420(data, width, height) : null;
    const rgb = i420ToRgb24(data, width, height);
    const stylizer = await this.getStylizer();
    this.worker?.setLanes(stylizerConcurrency(stylizer));
    const t0 = performance.now();
    const [out] = await stylizer.run([{ data: rgb, width, height, pts: 0, index: item.id }]);
    this.stats.addModelMs(performance.now() - t0);
    if (!out || this.closed) return;
    this.emitting = this.emitting.then(() => {
      if (this.closed || !this.source) return;
      if (!isInOrder(item.id, this.lastSentId)) {
        this.stats.dropped += 1;
        return;
      }
      const i420 = rgb24ToI420(out.data, out.width, out.height);
      if (stamp !== null) writeStampI420(i420, out.width, out.height, stamp);
      this.source.onFrame({ width: out.width, height: out.height, data: i420 });
      this.lastSentId = item.id;
      this.stats.framesOut += 1;
      this.stats.addServerMs(performance.now() - item.arrivedAt);
    }).catch(this.onError);
  }

  /** Broadcast: sends a ready I420 frame (shared by all viewers; the source copies it). */
  pushFrame(frame: WrtcVideoFrame): void {
    if (this.closed || !this.source || !this.connected) {
      if (!this.closed) this.stats.skipped += 1;
      return;
    }
    this.source.onFrame(frame);
    this.stats.framesOut += 1;
  }

  /** Frees the sink, source, tracks and peer connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sink) {
      this.sink.onframe = null;
      this.sink.stop();
    }
    await this.worker?.close();
    await this.emitting;
    this.sourceTrack?.stop();
    this.remoteTrack?.stop();
    if (this.pc) {
      this.pc.onconnectionstatechange = null;
      this.pc.ontrack = null;
      this.pc.onicegatheringstatechange = null;
      this.pc.close();
    }
    this.sink = undefined;
    this.source = undefined;
    this.sourceTrack = undefined;
    this.remoteTrack = undefined;
    this.pc = undefined;
  }
}
