/**
 * The live anime filter's server: one node:http server that serves the built web viewer, a small JSON
 * API (/api/health, /api/models, /api/stats) and one WebSocket endpoint (/ws) carrying WebRTC
 * signalling (JSON text) and the fallback's binary frames.
 *
 * This file puts the parts together and owns the server's life: the models it offers
 * (model-catalogue.ts), its HTTP routes (http-routes.ts), who may open a socket (upgrade-admission.ts:
 * token 401, Origin 403, session cap 503, per-address cap 429, checked before anything is allocated),
 * and each socket's control protocol and session (live-connection.ts). Messages larger than
 * maxPayload close the socket with 1009.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { OptionError } from '../errors.js';
import { AdaptiveSize, type AdaptiveSizeSnapshot } from './adaptive-size.js';
import { adaptiveSizeStylizer } from './adaptive-size-stylizer.js';
import { MODELS_DIR, PROJECT_ROOT } from '../project-paths.js';
import { BroadcastHub } from './broadcast-hub.js';
import { createHttpRoutes } from './http-routes.js';
import { LiveConnection } from './live-connection.js';
import { ModelCatalogue, openThreadedStylizer } from './model-catalogue.js';
import type { ModelsResponse } from './protocol.js';
import type { SessionStats, SessionStatsSnapshot } from './session-stats.js';
import type { StylizerFactory } from './stylizer-pool.js';
import { createToken } from './token-check.js';
import { admitUpgrade } from './upgrade-admission.js';
import { ensureViewerBuilt } from './viewer-build.js';
import { loadWrtc, type WrtcIceServer } from './wrtc-binding.js';

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
  const bufferedThresholdBytes = options.bufferedThresholdBytes ?? 1 << 20;
  const quality = options.quality ?? 80;
  const log = options.log ?? ((): void => undefined);
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

  // The adaptive model size (--target-fps): one controller for the server's CPU, wrapped around every model.
  const targetFps = options.targetFps ?? 15;
  const sizer = targetFps > 0 ? new AdaptiveSize({ targetFps, minSide: options.minModelSide ?? 144 }) : undefined;
  const openStylizer = options.openStylizer ?? openThreadedStylizer;
  const catalogue = new ModelCatalogue({
    modelsDir: options.modelsDir ?? MODELS_DIR,
    defaultModel: options.model ?? 'default',
    preferInt8: options.preferInt8 !== false,
    openStylizer: sizer ? async (dir) => adaptiveSizeStylizer(await openStylizer(dir), sizer) : openStylizer,
    log,
  });
  const sessionSnapshot = (st: SessionStats): SessionStatsSnapshot => ({ ...st.snapshot(), adaptive: sizer?.snapshot() ?? null });

  let hub: BroadcastHub | undefined;
  if (options.source !== undefined) {
    const source = options.source;
    if (!source.startsWith('/dev/video') && !existsSync(source)) throw new OptionError(`{source} ${source} does not exist`);
    hub = new BroadcastHub({
      source,
      maxSide: options.broadcastMaxSide ?? 360,
      bufferedThresholdBytes,
      quality,
      getStylizer: catalogue.stylizerFor(catalogue.defaultModel),
      onError: (err) => log(`broadcast: ${err instanceof Error ? err.message : String(err)}`),
    });
  }

  await hub?.prepare();

  /** Every open socket, sessions and sockets still waiting for their hello alike. */
  const connections = new Set<LiveConnection>();
  const connectionsByAddress = new Map<string, number>();
  /** The connections whose hello was accepted, in the order they started. */
  const sessions = new Map<LiveConnection, SessionStats>();
  const rejected = { token: 0, origin: 0, sessions: 0, address: 0, malformed: 0, oversized: 0 };

  const stats = (): ServerStats => ({
    sessions: [...sessions.values()].map(sessionSnapshot),
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
        models: async (): Promise<ModelsResponse> => ({ default: catalogue.defaultModel, models: await catalogue.list(), broadcast: hub !== undefined, webrtc: webrtcAvailable }),
        stats,
      },
      log,
    }),
  );

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 4 * 1024 * 1024, perMessageDeflate: false });
  const admission = {
    token,
    allowOrigins: options.allowOrigins ?? [],
    maxSessions: options.maxSessions ?? 8,
    maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 4,
  };
  const connectionOptions = {
    catalogue,
    hub,
    webrtc: { available: webrtcAvailable, iceServers: options.iceServers ?? [], loopbackOnly: isLoopbackHost(host) && (options.iceServers ?? []).length === 0 },
    bufferedThresholdBytes,
    quality,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    snapshot: sessionSnapshot,
    log,
  };

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const address = req.socket.remoteAddress ?? '?';
    const verdict = admitUpgrade(
      { url: req.url, origin: req.headers.origin, host: req.headers.host },
      { total: connections.size, fromAddress: connectionsByAddress.get(address) ?? 0 },
      admission,
    );
    if (!verdict.admit) {
      if (verdict.reason !== 'path') rejected[verdict.reason] += 1;
      return rejectUpgrade(socket, verdict.status, verdict.statusText);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      connectionsByAddress.set(address, (connectionsByAddress.get(address) ?? 0) + 1);
      const connection = new LiveConnection({
        ...connectionOptions,
        ws,
        address,
        onSessionStart: (c, st) => sessions.set(c, st),
        onClose: (c) => {
          connections.delete(c);
          sessions.delete(c);
          const n = (connectionsByAddress.get(address) ?? 1) - 1;
          if (n <= 0) connectionsByAddress.delete(address);
          else connectionsByAddress.set(address, n);
        },
        onRejected: (reason) => {
          rejected[reason] += 1;
        },
      });
      connections.add(connection);
    });
  });

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
      for (const c of connections) c.terminate();
      await Promise.all([...sessions.keys()].map((c) => c.closeSession().catch(() => undefined)));
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
