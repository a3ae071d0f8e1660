/**
 * A WebRTC viewer. Live mode: the browser's camera track arrives through an RTCVideoSink as I420, the
 * newest frame is stylized and sent back through an RTCVideoSource (VP8) on the same transceiver.
 * Broadcast mode: the broadcast hub pushes ready I420 frames into the source.
 *
 * Signalling runs over the session's WebSocket. The server answers without trickle (its candidates are
 * in the answer); the browser may trickle.
 */
import { stylizerConcurrency, type Stylizer } from '../engine/stylizer.js';
import type { BroadcastHub } from './broadcast-hub.js';
import type { ServerMessage } from './protocol.js';
import { filterSdpCandidates, isLoopbackCandidate, setVideoBitrateHints } from './sdp-edit.js';
import { isInOrder } from './drop-policy.js';
import { readStampI420, writeStampI420 } from './frame-stamp.js';
import { i420Size, i420ToRgb24, rgb24ToI420 } from './i420.js';
import type { LatestFrameWorker } from './latest-frame-worker.js';
import { createLiveFrameWorker } from './live-frame-worker.js';
import type { SessionStats } from './session-stats.js';
import { loadWrtc, type WrtcIceCandidateInit, type WrtcIceServer, type WrtcPeerConnection, type WrtcVideoFrame, type WrtcVideoSink, type WrtcVideoSource, type WrtcTrack } from './wrtc-binding.js';

export interface RtcSessionOptions {
  /** Sends a signalling or control message to the viewer (over its WebSocket). */
  send: (message: ServerMessage) => void;
  /** This session's counters (the viewer's overlay and /api/stats read them). */
  stats: SessionStats;
  /** Live mode's model; setStylizer() replaces it when the viewer picks another. */
  getStylizer: () => Promise<Stylizer>;
  /**
   * Broadcast mode: the hub whose stylized frames this viewer is sent (it subscribes now and leaves on
   * close). Default: none, live mode (the browser's camera track is stylized).
   */
  broadcast?: BroadcastHub;
  /** STUN/TURN servers given to the peer connection; none needed on one machine. */
  iceServers: WrtcIceServer[];
  /** Offer and dial only loopback candidates (the server is bound to loopback). */
  loopbackOnly: boolean;
  /** How long to wait for ICE gathering before answering anyway (ms). */
  gatherTimeoutMs: number;
  /** Copy the frame-number stamp of each received frame into its stylized frame (frame-stamp.ts). Default: false. */
  stamp?: boolean;
  /** The peer connection failed or closed: the browser is gone (the caller closes the socket). */
  onGone: () => void;
  /** A signalling, model or sending error; the session keeps going. */
  onError: (err: unknown) => void;
}

/** Bandwidth-estimate bounds on loopback (kbps): paces a frame out in a few ms. */
const LOOPBACK_BITRATE = { minKbps: 10_000, startKbps: 10_000, maxKbps: 20_000 };
/*
 * No cap on the encoder's own bitrate (RTCRtpSender.setParameters with encodings[].maxBitrate): in
 * @roamhq/wrtc it cannot succeed. libwebrtc forgets the transaction id getParameters() hands out at
 * the end of the signalling thread's current task, and every call from JavaScript is its own task on
 * that thread, so setParameters() always fails with InvalidStateError (before the answer it failed
 * with "different encoding count" instead, once per session). The cap was therefore never applied;
 * test/stream/rtc-session.test.ts checks that the binding still refuses it.
 */

interface SinkFrame {
  id: number;
  /** rgb24, converted on arrival (about 1 ms), so a lane that takes the frame starts the model at once. */
  rgb: Uint8Array;
  width: number;
  height: number;
  /** The frame number stamped in it, when the session copies stamps. */
  stamp: number | null;
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
  private statsTimer: NodeJS.Timeout | undefined;
  /** Stylized frames are converted and sent in order, off the model lanes. */
  private emitting: Promise<void> = Promise.resolve();

  private readonly send: (message: ServerMessage) => void;
  private readonly stats: SessionStats;
  private getStylizer: () => Promise<Stylizer>;
  private readonly onError: (err: unknown) => void;
  /** Leaves the broadcast hub (broadcast mode only). */
  private readonly leaveBroadcast: (() => void) | undefined;

  constructor(private readonly options: RtcSessionOptions) {
    this.send = options.send;
    this.stats = options.stats;
    this.getStylizer = options.getStylizer;
    this.onError = options.onError;
    this.leaveBroadcast = options.broadcast?.add({
      sendI420: (frame) => this.pushFrame(frame),
      onSent: (ms) => this.stats.addModelMs(ms),
      onSkipped: () => {
        this.stats.skipped += 1;
      },
    });
  }

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
      if (state === 'failed' || state === 'closed') this.options.onGone();
    };
    if (this.options.broadcast === undefined) {
      pc.ontrack = ({ track }) => {
        if (track.kind !== 'video' || this.sink || this.closed) return;
        this.attachSink(track);
      };
    }
    // The server side's RTP statistics for /api/stats (where a frame's time goes on the wire).
    this.statsTimer = setInterval(() => void this.collectRtpStats(pc), 1000);
    this.source = new wrtc.nonstandard.RTCVideoSource();
    this.sourceTrack = this.source.createTrack();
    // On loopback there is no network to protect, but libwebrtc's pacer still spreads each stylized
    // frame over its bandwidth estimate: 18 KB frames took 70-80 ms to leave at the estimate it ramps
    // up to. A high floor for the estimate paces them out in a few ms.
    await pc.setRemoteDescription({ type: 'offer', sdp: this.options.loopbackOnly ? setVideoBitrateHints(sdp, LOOPBACK_BITRATE) : sdp });
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
    this.worker = createLiveFrameWorker<SinkFrame>((item) => this.process(item), this.stats, this.onError, this.send);
    const sink = new wrtc.nonstandard.RTCVideoSink(track);
    this.sink = sink;
    sink.onframe = ({ frame }) => {
      if (this.closed) return;
      this.stats.framesIn += 1;
      // The native side reuses its buffer: convert (a copy) before the next callback.
      const { width, height, data } = frame;
      if (data.length < i420Size(width, height)) return;
      const id = this.nextId++;
      const stamp = this.options.stamp ? readStampI420(data, width, height) : null;
      this.worker?.offer({ id, rgb: i420ToRgb24(data, width, height), width, height, stamp, arrivedAt: performance.now() }, id);
    };
  }

  /** One model lane: stylizes a converted frame; its sending is chained in order and does not hold the lane. */
  private async process(item: SinkFrame): Promise<void> {
    const { width, height, rgb, stamp } = item;
    const stylizer = await this.getStylizer();
    // Frames stylized at once: the stylizer's concurrency, learnt when it is loaded.
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

  private async collectRtpStats(pc: WrtcPeerConnection): Promise<void> {
    if (this.closed || pc.connectionState !== 'connected') return;
    const report = await pc.getStats();
    const rtp: Record<string, number> = {};
    const per = (total: unknown, count: unknown, scale = 1): number => (Number(count ?? 0) > 0 ? (scale * Number(total ?? 0)) / Number(count) : 0);
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        rtp.recvJitterMs = per(s.jitterBufferDelay, s.jitterBufferEmittedCount, 1000);
        rtp.recvDecodeMs = per(s.totalDecodeTime, s.framesDecoded, 1000);
        rtp.recvFrameKB = per(s.bytesReceived, s.framesReceived, 1 / 1024);
        rtp.recvFramesDropped = Number(s.framesDropped ?? 0);
      }
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        rtp.sendEncodeMs = per(s.totalEncodeTime, s.framesEncoded, 1000);
        rtp.sendPacerMs = per(s.totalPacketSendDelay, s.packetsSent, 1000);
        rtp.sendFrameKB = per(s.bytesSent, s.framesSent, 1 / 1024);
        rtp.sendTargetKbps = Number(s.targetBitrate ?? 0) / 1000;
        rtp.sendFrames = Number(s.framesSent ?? 0);
        rtp.sendFramesEncoded = Number(s.framesEncoded ?? 0);
      }
    });
    if (!this.closed) this.stats.rtp = rtp;
  }

  /** Broadcast: sends a ready I420 frame (shared by all viewers; the source copies it). */
  private pushFrame(frame: WrtcVideoFrame): void {
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
    this.leaveBroadcast?.();
    clearInterval(this.statsTimer);
    if (this.sink) {
      this.sink.onframe = null;
      this.sink.stop();
    }
    // The peer connection first, before anything that awaits: its native threads keep the process
    // alive, so nothing may stand between a close() and pc.close(). Emits check `closed` first.
    if (this.pc) {
      this.pc.onconnectionstatechange = null;
      this.pc.ontrack = null;
      this.pc.onicegatheringstatechange = null;
      this.pc.close();
    }
    await this.worker?.close();
    await this.emitting;
    this.sourceTrack?.stop();
    this.remoteTrack?.stop();
    this.sink = undefined;
    this.source = undefined;
    this.sourceTrack = undefined;
    this.remoteTrack = undefined;
    this.pc = undefined;
  }
}
