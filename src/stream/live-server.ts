/**
 * The live anime filter's server: one node:http server that serves the built web viewer, a small JSON
 * API (/api/health, /api/models, /api/stats) and one WebSocket endpoint (/ws) carrying WebRTC
 * signalling (JSON text) and the fallback's binary frames.
 *
 * Every upgrade is checked before anything is allocated: token (401), Origin (403), session cap (503),
 * per-address cap (429). Messages larger than maxPayload close the socket with 1009; malformed control
 * messages close it with 1007/1003; the server keeps serving the others.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { OptionError } from '../errors.js';
import { AdaptiveSize, type AdaptiveSizeSnapshot } from './adaptive-size.js';
import { adaptiveSizeStylizer } from './adaptive-size-stylizer.js';
import { MODELS_DIR, PROJECT_ROOT } from '../project-paths.js';
import { BroadcastHub } from './broadcast-hub.js';
import { createHttpRoutes } from './http-routes.js';
import { parseClientMessage, type ClientMessage, type ModelsResponse, type ServerMessage } from './protocol.js';
import { isOriginAllowed } from './origin-check.js';
import { RtcSession } from './rtc-session.js';
import { SessionStats, type SessionStatsSnapshot } from './session-stats.js';
import type { StylizerFactory } from './stylizer-pool.js';
import { ModelCatalogue, openThreadedStylizer } from './model-catalogue.js';
import { checkToken, createToken } from './token-check.js';
import { ensureViewerBuilt } from './viewer-build.js';
import { loadWrtc, type WrtcIceServer } from './wrtc-binding.js';
import { WsBroadcastViewer } from './ws-broadcast-viewer.js';
import { WsLiveSession } from './ws-live-session.js';

export interface LiveServerOptions {
  /** Address to bind. Default: 127.0.0.1 (only this machine). */
  host?: string;
  /** Port; 0 picks a free one. Default: 8080. */
  port?: number;
  /** The viewer token. Default: a random one (see `token` on the result). */
  token?: string;
  /** Extra origins allowed to open the WebSocket besides the server's own. Default: none. */
  allowOrigins?: string[];
  /** Default model: a package directory or a name under modelsDir. Default: "default". */
  model?: string;
  /** Folder of named model packages listed by /api/models. Default: the project's models/. */
  modelsDir?: string;
  /**
   * Frames a second the server holds by shrinking the model's input under load (see adaptive-size.ts:
   * scaled down in, back up out, aspect kept, never below `minModelSide`); 0 runs every frame at its
   * own size. Default: 15.
   */
  targetFps?: number;
  /** The floor of the adaptive model size (longest side, px). Default: 144. */
  minModelSide?: number;
  /** Run a model's current int8 copy (`<model>-int8`, see src/model/quantize/int8-copy.ts) when there is one. Default: true. */
  preferInt8?: boolean;
  /**
   * Opens a Stylizer for a model package directory. Default: the ONNX engine on the CPU in a worker
   * thread (createThreadedStylizer); a stylizer with `concurrency` > 1 gets that many frames at once.
   */
  openStylizer?: StylizerFactory;
  /** Broadcast mode: a video file (looped) or a capture device stylized on the server. Default: none. */
  source?: string;
  /** Largest side of broadcast frames. Default: 360. */
  broadcastMaxSide?: number;
  /** Largest WebSocket message in bytes; larger closes with 1009. Default: 4 MiB. */
  maxPayloadBytes?: number;
  /** Most concurrent sessions; more get 503. Default: 8. */
  maxSessions?: number;
  /** Most concurrent sockets from one address; more get 429. Default: 4. */
  maxConnectionsPerAddress?: number;
  /** Skip a viewer whose socket holds more unsent bytes than this. Default: 1 MiB. */
  bufferedThresholdBytes?: number;
  /** JPEG/WebP quality of WebSocket frames. Default: 80. */
  quality?: number;
  /** Offer WebRTC (viewers fall back to WebSocket frames when off or when @roamhq/wrtc is missing). Default: true. */
  webrtc?: boolean;
  /** STUN/TURN servers for WebRTC. Default: none (host candidates). */
  iceServers?: WrtcIceServer[];
  /** Folder of the built web viewer. Default: web-viewer/dist (built on demand when missing). */
  viewerDir?: string;
  /** A socket with no pong for this long is terminated (browser vanished). Default: 15000 ms. */
  heartbeatMs?: number;
  /** Logs one line per event. Default: none. */
  log?: (line: string) => void;
  /** Closes the server. */
  signal?: AbortSignal;
}

export interface ServerStats {
  sessions: SessionStatsSnapshot[];
  broadcast: { source: string; viewers: number; decoded: number; stylized: number; dropped: number; modelMs: number } | null;
  rejected: Record<string, number>;
  /** Inference workers restarted after they died (the stylizers heal themselves; this counts how often). */
  inference: { restarts: number };
  /** The adaptive model size (chosen side, achieved fps), null when --target-fps is 0. */
  adaptive: AdaptiveSizeSnapshot | null;
}

export interface LiveServer {
  /** http://host:port/ */
  readonly url: string;
  /** The viewer URL with its token. */
  readonly viewerUrl: string;
  readonly token: string;
  readonly port: number;
  stats(): ServerStats;
  /** Closes every session, the broadcast and the server. Idempotent. */
  close(): Promise<void>;
}

interface Session {
  stats: SessionStats;
  close(): Promise<void>;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}

export async function startLiveServer(options: LiveServerOptions = {}): Promise<LiveServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? createToken();
  if (token.length < 8) throw new OptionError('{token} must be at least 8 characters');
  const modelsDir = options.modelsDir ?? MODELS_DIR;
  const defaultModel = options.model ?? 'default';
  const maxSessions = options.maxSessions ?? 8;
  const perAddress = options.maxConnectionsPerAddress ?? 4;
  const maxPayload = options.maxPayloadBytes ?? 4 * 1024 * 1024;
  const bufferedThresholdBytes = options.bufferedThresholdBytes ?? 1 << 20;
  const quality = options.quality ?? 80;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const log = options.log ?? ((): void => undefined);
  const loopbackOnly = isLoopbackHost(host) && (options.iceServers ?? []).length === 0;
  const viewerDir = options.viewerDir ?? path.join(PROJECT_ROOT, 'web-viewer', 'dist');
  if (options.viewerDir === undefined) await ensureViewerBuilt(viewerDir);

  const webrtcAvailable = ((): boolean => {
    if (options.webrtc === false) return false;
    try {
      loadWrtc();
      return true;
    } catch (err) {
      log(err instanceof Error ? err.message : String(err));
      return false;
    }
  })();

  // --- adaptive model size (--target-fps): one controller for the server's CPU, wrapped around every model.
  const sizer = (options.targetFps ?? 15) > 0 ? new AdaptiveSize({ targetFps: options.targetFps ?? 15, minSide: options.minModelSide ?? 144 }) : undefined;
  const openStylizer = options.openStylizer ?? openThreadedStylizer;
  const catalogue = new ModelCatalogue({
    modelsDir,
    defaultModel,
    preferInt8: options.preferInt8 !== false,
    openStylizer: sizer ? async (dir) => adaptiveSizeStylizer(await openStylizer(dir), sizer) : openStylizer,
    log,
  });
  const stylizerFor = (model: string) => catalogue.stylizerFor(model);
  const sessionSnapshot = (st: SessionStats) => ({ ...st.snapshot(), adaptive: sizer?.snapshot() ?? null });
  // --- end adaptive model size
  const sessions = new Set<Session>();
  const connectionsByAddress = new Map<string, number>();
  const sockets = new Set<WebSocket>();
  const rejected: Record<string, number> = { token: 0, origin: 0, sessions: 0, address: 0, malformed: 0, oversized: 0 };

  let hub: BroadcastHub | undefined;
  if (options.source !== undefined) {
    const source = options.source;
    if (!source.startsWith('/dev/video') && !existsSync(source)) throw new OptionError(`{source} ${source} does not exist`);
    hub = new BroadcastHub({
      source,
      maxSide: options.broadcastMaxSide ?? 360,
      bufferedThresholdBytes,
      quality,
      getStylizer: stylizerFor(defaultModel),
      onError: (err) => log(`broadcast: ${err instanceof Error ? err.message : String(err)}`),
    });
  }

  await hub?.prepare();

  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false });

  const stats = (): ServerStats => ({
    sessions: [...sessions].map((s) => sessionSnapshot(s.stats)),
    broadcast: hub && options.source !== undefined ? { source: path.basename(options.source), viewers: hub.viewerCount, ...hub.counters } : null,
    rejected: { ...rejected },
    inference: { restarts: catalogue.restarts() },
    adaptive: sizer?.snapshot() ?? null,
  });

  const server = http.createServer(
    createHttpRoutes({
      token,
      viewerDir,
      api: {
        health: () => ({ ok: true, sessions: sessions.size, broadcast: hub !== undefined }),
        models: async (): Promise<ModelsResponse> => ({ default: defaultModel, models: await catalogue.list(), broadcast: hub !== undefined, webrtc: webrtcAvailable }),
        stats,
      },
      log,
    }),
  );

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') return rejectUpgrade(socket, 404, 'Not Found');
    if (!checkToken(token, url.searchParams.get('token'))) {
      rejected.token! += 1;
      return rejectUpgrade(socket, 401, 'Unauthorized');
    }
    if (!isOriginAllowed(req.headers.origin, req.headers.host, options.allowOrigins ?? [])) {
      rejected.origin! += 1;
      return rejectUpgrade(socket, 403, 'Forbidden');
    }
    if (sockets.size >= maxSessions) {
      rejected.sessions! += 1;
      return rejectUpgrade(socket, 503, 'Service Unavailable');
    }
    const address = req.socket.remoteAddress ?? '?';
    if ((connectionsByAddress.get(address) ?? 0) >= perAddress) {
      rejected.address! += 1;
      return rejectUpgrade(socket, 429, 'Too Many Requests');
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, address));
  });

  function onConnection(ws: WebSocket, address: string): void {
    sockets.add(ws);
    connectionsByAddress.set(address, (connectionsByAddress.get(address) ?? 0) + 1);
    const id = randomUUID().slice(0, 8);
    let alive = true;
    let session: Session | undefined;
    let wsLive: WsLiveSession | undefined;
    let wsViewer: WsBroadcastViewer | undefined;
    let rtc: RtcSession | undefined;
    let setModel: ((model: string) => void) | undefined;
    let queue: Promise<void> = Promise.resolve();
    const send = (m: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    const fail = (code: number, reason: string): void => {
      rejected.malformed! += 1;
      log(`session ${id}: closing ${code} (${reason})`);
      ws.close(code, reason);
    };
    let errorsSent = 0;
    const onError = (err: unknown): void => {
      const message = err instanceof Error ? err.message : String(err);
      log(`session ${id}: ${message}`);
      // Tell the viewer why no frames come (a broken model package…), without flooding it.
      if (errorsSent++ < 3) send({ type: 'error', message });
    };
    const helloTimer = setTimeout(() => {
      if (!session) ws.close(1008, 'no hello');
    }, 10_000);
    const heartbeat = setInterval(() => {
      if (!alive) {
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, heartbeatMs);
    ws.on('pong', () => {
      alive = true;
    });
    let statsTimer: NodeJS.Timeout | undefined;

    const start = (hello: Extract<ClientMessage, { type: 'hello' }>): void => {
      const model = hello.model ?? defaultModel;
      const mode = hub ? 'broadcast' : 'live';
      if (hello.mode === 'broadcast' && !hub) return fail(1008, 'this server has no broadcast source');
      // The viewer falls back to WebSocket frames on this close.
      if (hello.transport === 'webrtc' && !webrtcAvailable) return fail(1008, 'WebRTC is not available on this server');
      const st = new SessionStats(id, hello.transport, mode, hub ? defaultModel : model);
      let get = stylizerFor(model);
      // Load the model now so the first frame does not pay for it; errors surface on use.
      get().catch(onError);
      if (hello.transport === 'ws') {
        if (mode === 'live') {
          wsLive = new WsLiveSession({ ws, stats: st, getStylizer: get, bufferedThresholdBytes, quality, onError, sendControl: send });
          setModel = (m) => {
            get = stylizerFor(m);
            st.model = m;
            wsLive?.setStylizer(get);
          };
        } else {
          wsViewer = new WsBroadcastViewer({ ws, stats: st, hub: hub! });
        }
      } else {
        rtc = new RtcSession({
          send,
          stats: st,
          getStylizer: get,
          broadcast: hub,
          iceServers: options.iceServers ?? [],
          loopbackOnly,
          gatherTimeoutMs: 2000,
          stamp: hello.stamp === true,
          onGone: () => ws.close(1000, 'peer connection ended'),
          onError,
        });
        if (mode === 'live') {
          setModel = (m) => {
            get = stylizerFor(m);
            st.model = m;
            rtc?.setStylizer(get);
          };
        }
      }
      if (mode === 'broadcast') hub!.start();
      session = {
        stats: st,
        close: async () => {
          await wsViewer?.close();
          await wsLive?.close();
          await rtc?.close();
        },
      };
      sessions.add(session);
      statsTimer = setInterval(() => send({ type: 'stats', stats: sessionSnapshot(st) }), 500);
      send({ type: 'ready', sessionId: id, model: st.model, mode, transport: hello.transport });
      log(`session ${id}: ${hello.transport} ${mode} from ${address}`);
    };

    const handleText = async (text: string): Promise<void> => {
      const parsed = parseClientMessage(text);
      if (!parsed.ok) return fail(parsed.closeCode, parsed.reason);
      const m = parsed.message;
      if (m.type === 'hello') {
        if (session) return fail(1008, 'hello sent twice');
        if (m.model !== undefined && !(await catalogue.offers(m.model))) return fail(1008, 'unknown model');
        return start(m);
      }
      if (!session) return fail(1008, 'hello first');
      switch (m.type) {
        case 'offer':
          if (!rtc) return fail(1008, 'offer on a WebSocket session');
          return rtc.onOffer(m.sdp);
        case 'candidate':
          return rtc?.onCandidate(m);
        case 'report':
          session.stats.addLatencyMs(m.latencyMs);
          return;
        case 'model':
          if (!(await catalogue.offers(m.model))) return fail(1008, 'unknown model');
          setModel?.(m.model);
          return;
        case 'bye':
          ws.close(1000, 'bye');
          return;
      }
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (isBinary) {
        if (!wsLive) return fail(1003, 'binary frame outside a WebSocket live session');
        if (!wsLive.onBinary(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))) fail(1007, 'malformed frame');
        return;
      }
      // Signalling is applied in order (an offer must be answered before its candidates).
      queue = queue.then(() => handleText(bytes.toString('utf8'))).catch((err: unknown) => {
        onError(err);
        send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      });
    });
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes with 1009 itself on an oversized message and reports it here.
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') rejected.oversized! += 1;
      log(`session ${id}: ${err.message}`);
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      clearInterval(heartbeat);
      if (statsTimer) clearInterval(statsTimer);
      sockets.delete(ws);
      const n = (connectionsByAddress.get(address) ?? 1) - 1;
      if (n <= 0) connectionsByAddress.delete(address);
      else connectionsByAddress.set(address, n);
      const s = session;
      if (s) {
        sessions.delete(s);
        void s.close().catch(onError);
        log(`session ${id}: closed (${JSON.stringify(s.stats.snapshot())})`);
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const ws of sockets) ws.terminate();
      await Promise.all([...sessions].map((s) => s.close().catch(() => undefined)));
      sessions.clear();
      await hub?.close();
      await catalogue.close();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    })();
    return closing;
  };
  options.signal?.addEventListener('abort', () => void close(), { once: true });

  return {
    url,
    viewerUrl: `${url}?token=${encodeURIComponent(token)}`,
    token,
    port,
    stats,
    close,
  };
}
