/**
 * The slice of @roamhq/wrtc this server uses, typed here: the package's own types re-export the DOM's
 * WebRTC types, which a Node build (no DOM lib) does not have. Loaded lazily so the WebSocket-only
 * paths and the unit tests do not pay for the native module.
 */
import { createRequire } from 'node:module';
import { BackendUnavailableError } from '../errors.js';

export interface WrtcVideoFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface WrtcTrack {
  readonly kind: string;
  readonly id: string;
  stop(): void;
}

export interface WrtcVideoSink {
  onframe: ((event: { frame: WrtcVideoFrame }) => void) | null;
  stop(): void;
}

export interface WrtcVideoSource {
  createTrack(): WrtcTrack;
  onFrame(frame: WrtcVideoFrame): void;
}

export interface WrtcSessionDescription {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp: string;
}

export interface WrtcIceCandidateInit {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
}

export interface WrtcSendParameters {
  encodings: { maxBitrate?: number; maxFramerate?: number }[];
  [key: string]: unknown;
}

export interface WrtcSender {
  readonly track: WrtcTrack | null;
  getParameters?(): WrtcSendParameters;
  setParameters?(parameters: WrtcSendParameters): Promise<void>;
}

export interface WrtcPeerConnection {
  onicecandidate: ((event: { candidate: WrtcIceCandidateInit | null }) => void) | null;
  ontrack: ((event: { track: WrtcTrack }) => void) | null;
  onconnectionstatechange: (() => void) | null;
  onicegatheringstatechange: (() => void) | null;
  readonly connectionState: string;
  readonly iceGatheringState: string;
  readonly localDescription: WrtcSessionDescription | null;
  setRemoteDescription(desc: WrtcSessionDescription): Promise<void>;
  setLocalDescription(desc?: WrtcSessionDescription): Promise<void>;
  createAnswer(): Promise<WrtcSessionDescription>;
  addIceCandidate(candidate: WrtcIceCandidateInit): Promise<void>;
  addTrack(track: WrtcTrack, ...streams: unknown[]): WrtcSender;
  /** Standard stats: an iterable of [id, stats object]. */
  getStats(): Promise<{ forEach(cb: (s: Record<string, unknown>) => void): void }>;
  close(): void;
}

export interface WrtcIceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface WrtcModule {
  RTCPeerConnection: new (config: { iceServers: WrtcIceServer[] }) => WrtcPeerConnection;
  MediaStream: new (tracks?: WrtcTrack[]) => unknown;
  nonstandard: {
    RTCVideoSink: new (track: WrtcTrack) => WrtcVideoSink;
    RTCVideoSource: new (init?: { isScreencast?: boolean }) => WrtcVideoSource;
  };
}

let loaded: WrtcModule | undefined;

/** The native module; BackendUnavailableError when it is not installed for this platform. */
export function loadWrtc(): WrtcModule {
  if (!loaded) {
    try {
      loaded = createRequire(import.meta.url)('@roamhq/wrtc') as WrtcModule;
      exitBeforeNativeTeardown();
    } catch (err) {
      throw new BackendUnavailableError('WebRTC is unavailable (@roamhq/wrtc has no binary for this platform); viewers fall back to WebSocket', err);
    }
  }
  return loaded;
}

/**
 * @roamhq/wrtc crashes (SIGSEGV) in Node's environment teardown once an RTCVideoSource has existed
 * (node-webrtc#636, WonderInventions/node-webrtc#7), turning every clean exit into exit code 139.
 * When the event loop has drained, exit explicitly with the intended code: process.exit skips the
 * napi finalizers that crash. The immediate lets other beforeExit handlers (the test runner's
 * report) run first.
 */
function exitBeforeNativeTeardown(): void {
  process.once('beforeExit', () => {
    setImmediate(() => process.exit());
  });
}
