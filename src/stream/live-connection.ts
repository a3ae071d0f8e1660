/**
 * One viewer's WebSocket, from its upgrade to its close: the control protocol (a hello first, then
 * signalling, latency reports and model changes, applied in order), the heartbeat, the stats sent to
 * the viewer twice a second, and the session its hello chose: WsLiveSession (live, WebSocket frames),
 * WsBroadcastViewer (broadcast, WebSocket frames) or RtcSession (WebRTC, live or broadcast).
 *
 * Malformed control messages close the socket with 1007/1003/1008; the server keeps serving the others.
 */
import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import type { BroadcastHub } from './broadcast-hub.js';
import type { ModelCatalogue } from './model-catalogue.js';
import { parseClientMessage, type ClientMessage, type ServerMessage, type SessionStatsSnapshot } from './protocol.js';
import { RtcSession } from './rtc-session.js';
import { SessionStats } from './session-stats.js';
import type { WrtcIceServer } from './wrtc-binding.js';
import { WsBroadcastViewer } from './ws-broadcast-viewer.js';
import { WsLiveSession } from './ws-live-session.js';

export interface LiveConnectionOptions {
  /** The socket, upgraded after the server admitted it (upgrade-admission.ts). */
  ws: WebSocket;
  /** The remote address, for the log. */
  address: string;
  /** The models a hello or a model message may name, and their stylizers. */
  catalogue: ModelCatalogue;
  /** Broadcast mode's hub; when set every session watches it. Default: none, every session is live. */
  hub?: BroadcastHub;
  /** WebRTC as this server offers it. */
  webrtc: {
    /** False when turned off or when @roamhq/wrtc is missing: a WebRTC hello is closed and the viewer falls back to WebSocket frames. */
    available: boolean;
    /** STUN/TURN servers for the peer connection. */
    iceServers: WrtcIceServer[];
    /** Offer and dial only loopback candidates. */
    loopbackOnly: boolean;
  };
  /** Skip a viewer whose socket holds more unsent bytes than this. */
  bufferedThresholdBytes: number;
  /** JPEG/WebP quality of WebSocket frames. */
  quality: number;
  /** A socket with no pong for this long is terminated (browser vanished). */
  heartbeatMs: number;
  /** The stats a session reports, to its viewer and to /api/stats. */
  snapshot: (stats: SessionStats) => SessionStatsSnapshot;
  /** The hello was accepted: the session counts from now on. */
  onSessionStart: (connection: LiveConnection, stats: SessionStats) => void;
  /** The socket closed (its session, if any, is being closed). */
  onClose: (connection: LiveConnection) => void;
  /** The socket is closed for a malformed message, or was by ws for an oversized one (counted in /api/stats). */
  onRejected: (reason: 'malformed' | 'oversized') => void;
  log: (line: string) => void;
}

type HelloMessage = Extract<ClientMessage, { type: 'hello' }>;

/** How long a socket may stay open without saying hello. */
const HELLO_TIMEOUT_MS = 10_000;
/** How often a session's stats go to its viewer. */
const STATS_INTERVAL_MS = 500;
/** How long the server's WebRTC side waits for ICE gathering before answering anyway. */
const GATHER_TIMEOUT_MS = 2000;
/** Errors told to the viewer per connection: enough to say why no frames come, not a flood. */
const MAX_ERRORS_SENT = 3;

export class LiveConnection {
  readonly id = randomUUID().slice(0, 8);
  private readonly ws: WebSocket;
  private session: WsLiveSession | WsBroadcastViewer | RtcSession | undefined;
  private stats: SessionStats | undefined;
  private alive = true;
  private errorsSent = 0;
  /** Signalling is applied in order (an offer must be answered before its candidates). */
  private queue: Promise<void> = Promise.resolve();
  private readonly helloTimer: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private statsTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LiveConnectionOptions) {
    const ws = options.ws;
    this.ws = ws;
    this.helloTimer = setTimeout(() => {
      if (!this.session) ws.close(1008, 'no hello');
    }, HELLO_TIMEOUT_MS);
    this.heartbeat = setInterval(() => {
      if (!this.alive) {
        ws.terminate();
        return;
      }
      this.alive = false;
      ws.ping();
    }, options.heartbeatMs);
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes with 1009 itself on an oversized message and reports it here.
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') options.onRejected('oversized');
      options.log(`session ${this.id}: ${err.message}`);
    });
    ws.on('close', () => this.onClose());
  }

  /** Drops the socket at once (the server is closing); its close event follows. */
  terminate(): void {
    this.ws.terminate();
  }

  /** Closes the session the hello opened, if any. Idempotent. */
  async closeSession(): Promise<void> {
    await this.session?.close();
  }

  private readonly send = (m: ServerMessage): void => {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(m));
  };

  private readonly onError = (err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err);
    this.options.log(`session ${this.id}: ${message}`);
    // Tell the viewer why no frames come (a broken model package…), without flooding it.
    if (this.errorsSent++ < MAX_ERRORS_SENT) this.send({ type: 'error', message });
  };

  private fail(code: number, reason: string): void {
    this.options.onRejected('malformed');
    this.options.log(`session ${this.id}: closing ${code} (${reason})`);
    this.ws.close(code, reason);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary) {
      if (!(this.session instanceof WsLiveSession)) return this.fail(1003, 'binary frame outside a WebSocket live session');
      if (!this.session.onBinary(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))) this.fail(1007, 'malformed frame');
      return;
    }
    this.queue = this.queue
      .then(() => this.onText(bytes.toString('utf8')))
      .catch((err: unknown) => {
        this.onError(err);
        this.send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      });
  }

  private async onText(text: string): Promise<void> {
    const parsed = parseClientMessage(text);
    if (!parsed.ok) return this.fail(parsed.closeCode, parsed.reason);
    const m = parsed.message;
    const { catalogue } = this.options;
    if (m.type === 'hello') {
      if (this.session) return this.fail(1008, 'hello sent twice');
      if (m.model !== undefined && !(await catalogue.offers(m.model))) return this.fail(1008, 'unknown model');
      return this.start(m);
    }
    if (!this.session) return this.fail(1008, 'hello first');
    switch (m.type) {
      case 'offer':
        if (!(this.session instanceof RtcSession)) return this.fail(1008, 'offer on a WebSocket session');
        return this.session.onOffer(m.sdp);
      case 'candidate':
        if (this.session instanceof RtcSession) return this.session.onCandidate(m);
        return;
      case 'report':
        this.stats?.addLatencyMs(m.latencyMs);
        return;
      case 'model':
        if (!(await catalogue.offers(m.model))) return this.fail(1008, 'unknown model');
        this.setModel(m.model);
        return;
      case 'bye':
        this.ws.close(1000, 'bye');
        return;
    }
  }

  /** Opens the session the hello asks for. */
  private start(hello: HelloMessage): void {
    const { ws, send, onError } = this;
    const { catalogue, hub, webrtc, log } = this.options;
    const model = hello.model ?? catalogue.defaultModel;
    const mode = hub ? 'broadcast' : 'live';
    if (hello.mode === 'broadcast' && !hub) return this.fail(1008, 'this server has no broadcast source');
    // The viewer falls back to WebSocket frames on this close.
    if (hello.transport === 'webrtc' && !webrtc.available) return this.fail(1008, 'WebRTC is not available on this server');
    const stats = new SessionStats(this.id, hello.transport, mode, hub ? catalogue.defaultModel : model);
    const getStylizer = catalogue.stylizerFor(model);
    // Load the model now so the first frame does not pay for it; errors surface on use.
    getStylizer().catch(onError);
    if (hello.transport === 'ws') {
      this.session = hub
        ? new WsBroadcastViewer({ ws, stats, hub })
        : new WsLiveSession({ ws, stats, getStylizer, bufferedThresholdBytes: this.options.bufferedThresholdBytes, quality: this.options.quality, onError, sendControl: send });
    } else {
      this.session = new RtcSession({
        send,
        stats,
        getStylizer,
        broadcast: hub,
        iceServers: webrtc.iceServers,
        loopbackOnly: webrtc.loopbackOnly,
        gatherTimeoutMs: GATHER_TIMEOUT_MS,
        stamp: hello.stamp === true,
        onGone: () => ws.close(1000, 'peer connection ended'),
        onError,
      });
    }
    hub?.start();
    this.stats = stats;
    this.options.onSessionStart(this, stats);
    this.statsTimer = setInterval(() => send({ type: 'stats', stats: this.options.snapshot(stats) }), STATS_INTERVAL_MS);
    send({ type: 'ready', sessionId: this.id, model: stats.model, mode, transport: hello.transport });
    log(`session ${this.id}: ${hello.transport} ${mode} from ${this.options.address}`);
  }

  /** A live session switches model; a broadcast viewer keeps the broadcast's. */
  private setModel(model: string): void {
    if (this.options.hub || !this.stats) return;
    this.stats.model = model;
    if (this.session instanceof WsLiveSession || this.session instanceof RtcSession) this.session.setStylizer(this.options.catalogue.stylizerFor(model));
  }

  private onClose(): void {
    clearTimeout(this.helloTimer);
    clearInterval(this.heartbeat);
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.options.onClose(this);
    if (this.session && this.stats) {
      void this.closeSession().catch(this.onError);
      this.options.log(`session ${this.id}: closed (${JSON.stringify(this.stats.snapshot())})`);
    }
  }
}
