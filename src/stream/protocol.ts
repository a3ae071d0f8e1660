/**
 * The live filter's protocol, the one module both ends import (the server in src/stream, the web
 * viewer in web-viewer/src): the JSON control messages on the WebSocket (signalling, reports,
 * stats), the session stats they carry, the /api/models answer, and (re-exported) the binary frame
 * header of the WebSocket fallback. Each direction has one strict, pure parser: a client message
 * that is not one of these closes the socket with 1007 (bad JSON / bad fields) or 1003 (unknown
 * type) and the server carries on; the viewer ignores a server message it cannot parse.
 */

export * from './frame-header.js';

/** A JSON snapshot of one session's counters (the viewer's overlay and /api/stats). */
export interface SessionStatsSnapshot {
  id: string;
  transport: 'webrtc' | 'ws';
  mode: 'live' | 'broadcast';
  model: string;
  framesIn: number;
  framesOut: number;
  dropped: number;
  /** Frames skipped for this viewer because its socket was still busy (broadcast). */
  skipped: number;
  /** Median model time per frame over the recent window (ms), null before the first frame. */
  modelMs: number | null;
  /** Median end-to-end latency reported by the viewer (ms), null before the first report. */
  latencyMs: number | null;
  /** Median time from a frame's arrival at the server to its stylized frame leaving (ms). */
  serverMs: number | null;
  /** Mean time a frame waited in the slot for a model lane, over the recent window (ms). */
  laneWaitMs: number | null;
  /** Mean time a model lane sat idle before its next frame arrived, over the recent window (ms). */
  laneIdleMs: number | null;
  /** WebRTC: the server side's RTP statistics per frame (ms, KB, kbps), null otherwise. */
  rtp: Record<string, number> | null;
  startedAt: string;
  /** The server's adaptive model size (serve --target-fps); null when off, absent in a session's own log line. */
  adaptive?: AdaptiveSizeView | null;
}

/** What serve --target-fps chose: the model's input side and the frame rate it achieves. */
export interface AdaptiveSizeView {
  targetFps: number;
  /** The floor it never goes below. */
  minSide: number;
  maxSide: number;
  /** The longest side the model is given now. */
  side: number;
  /** The size of the last frame the model ran on (after scaling), null before the first. */
  lastSize: { width: number; height: number } | null;
  /** Smoothed time of one frame through the model lane (ms), null before the first. */
  frameMs: number | null;
  /** Frames finished per second over the last two seconds (all viewers of this server), null before two frames. */
  achievedFps: number | null;
}

/** Pure: whether a value is an adaptive-size view (or null). */
function isAdaptiveSizeView(v: unknown): v is AdaptiveSizeView | null {
  if (v === null) return true;
  if (typeof v !== 'object') return false;
  const a = v as Record<string, unknown>;
  const size = a.lastSize as Record<string, unknown> | null;
  return [a.targetFps, a.minSide, a.maxSide, a.side].every(isNum) && [a.frameMs, a.achievedFps].every(isNumOrNull) &&
    (size === null || (typeof size === 'object' && isNum(size.width) && isNum(size.height)));
}

/** The answer of GET /api/models. */
export interface ModelsResponse {
  default: string;
  models: string[];
  /** The server broadcasts its own source; viewers only watch. */
  broadcast: boolean;
  /** WebRTC is offered (else viewers use WebSocket frames). */
  webrtc: boolean;
}

export type ClientMessage =
  /**
   * Starts a session. mode live: the browser sends frames; broadcast: it only watches. stamp: the
   * browser stamps frame numbers into the frames it sends over WebRTC and wants them copied into the
   * stylized frames (frame-stamp.ts), to measure latency per frame.
   */
  | { type: 'hello'; transport: 'webrtc' | 'ws'; mode: 'live' | 'broadcast'; model?: string; stamp?: boolean }
  /** WebRTC offer from the browser (answered with `answer`). */
  | { type: 'offer'; sdp: string }
  /** A trickled ICE candidate from the browser. */
  | { type: 'candidate'; candidate: string; sdpMid: string | null; sdpMLineIndex: number | null }
  /** The viewer's end-to-end latency measurement for recent frames (ms). */
  | { type: 'report'; latencyMs: number }
  /** Switches the model of this session. */
  | { type: 'model'; model: string }
  | { type: 'bye' };

export type ServerMessage =
  | { type: 'ready'; sessionId: string; model: string; mode: 'live' | 'broadcast'; transport: 'webrtc' | 'ws' }
  /** Live mode: a model lane took a frame (send-pacer.ts); times in ms; lanes: frames stylized at once. */
  | { type: 'took'; waitedMs: number; idleMs: number; modelMs: number; lanes: number }
  | { type: 'answer'; sdp: string }
  | { type: 'candidate'; candidate: string; sdpMid: string | null; sdpMLineIndex: number | null }
  | { type: 'stats'; stats: SessionStatsSnapshot }
  | { type: 'error'; message: string };

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; closeCode: 1007 | 1003; reason: string };

const MAX_SDP = 64 * 1024;

function isString(v: unknown, max = 4096): v is string {
  return typeof v === 'string' && v.length <= max;
}

/** Parses one text message from the browser. */
export function parseClientMessage(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, closeCode: 1007, reason: 'invalid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, closeCode: 1007, reason: 'not an object' };
  const m = value as Record<string, unknown>;
  const bad = (what: string): ParseResult => ({ ok: false, closeCode: 1007, reason: `bad ${what}` });
  switch (m.type) {
    case 'hello': {
      if (m.transport !== 'webrtc' && m.transport !== 'ws') return bad('transport');
      if (m.mode !== 'live' && m.mode !== 'broadcast') return bad('mode');
      if (m.model !== undefined && !isString(m.model, 200)) return bad('model');
      if (m.stamp !== undefined && typeof m.stamp !== 'boolean') return bad('stamp');
      return {
        ok: true,
        message: { type: 'hello', transport: m.transport, mode: m.mode, ...(m.model !== undefined ? { model: m.model as string } : {}), ...(m.stamp === true ? { stamp: true } : {}) },
      };
    }
    case 'offer':
      if (!isString(m.sdp, MAX_SDP)) return bad('sdp');
      return { ok: true, message: { type: 'offer', sdp: m.sdp } };
    case 'candidate': {
      if (!isString(m.candidate, 1024)) return bad('candidate');
      const mid = m.sdpMid ?? null;
      const index = m.sdpMLineIndex ?? null;
      if (mid !== null && !isString(mid, 64)) return bad('sdpMid');
      if (index !== null && (typeof index !== 'number' || !Number.isInteger(index) || index < 0)) return bad('sdpMLineIndex');
      return { ok: true, message: { type: 'candidate', candidate: m.candidate, sdpMid: mid, sdpMLineIndex: index } };
    }
    case 'report':
      if (typeof m.latencyMs !== 'number' || !Number.isFinite(m.latencyMs)) return bad('latencyMs');
      return { ok: true, message: { type: 'report', latencyMs: m.latencyMs } };
    case 'model':
      if (!isString(m.model, 200)) return bad('model');
      return { ok: true, message: { type: 'model', model: m.model } };
    case 'bye':
      return { ok: true, message: { type: 'bye' } };
    default:
      return { ok: false, closeCode: 1003, reason: 'unknown message type' };
  }
}

export type ServerParseResult = { ok: true; message: ServerMessage } | { ok: false; reason: string };

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumOrNull = (v: unknown): v is number | null => v === null || isNum(v);

/** Pure: whether a value is a well-formed session stats snapshot. */
export function isSessionStatsSnapshot(v: unknown): v is SessionStatsSnapshot {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.id === 'string' &&
    (s.transport === 'webrtc' || s.transport === 'ws') &&
    (s.mode === 'live' || s.mode === 'broadcast') &&
    typeof s.model === 'string' &&
    [s.framesIn, s.framesOut, s.dropped, s.skipped].every(isNum) &&
    [s.modelMs, s.latencyMs, s.serverMs, s.laneWaitMs, s.laneIdleMs].every(isNumOrNull) &&
    (s.rtp === null || (typeof s.rtp === 'object' && !Array.isArray(s.rtp) && Object.values(s.rtp as object).every(isNum))) &&
    typeof s.startedAt === 'string' &&
    (s.adaptive === undefined || isAdaptiveSizeView(s.adaptive))
  );
}

/** Parses one text message from the server (the viewer's side). */
export function parseServerMessage(text: string): ServerParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'invalid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not an object' };
  const m = value as Record<string, unknown>;
  const bad = (what: string): ServerParseResult => ({ ok: false, reason: `bad ${what}` });
  switch (m.type) {
    case 'ready':
      if (typeof m.sessionId !== 'string' || typeof m.model !== 'string') return bad('ready');
      if (m.mode !== 'live' && m.mode !== 'broadcast') return bad('mode');
      if (m.transport !== 'webrtc' && m.transport !== 'ws') return bad('transport');
      return { ok: true, message: { type: 'ready', sessionId: m.sessionId, model: m.model, mode: m.mode, transport: m.transport } };
    case 'took':
      if (![m.waitedMs, m.idleMs, m.modelMs, m.lanes].every(isNum)) return bad('took');
      return { ok: true, message: { type: 'took', waitedMs: m.waitedMs as number, idleMs: m.idleMs as number, modelMs: m.modelMs as number, lanes: m.lanes as number } };
    case 'answer':
      if (!isString(m.sdp, MAX_SDP)) return bad('sdp');
      return { ok: true, message: { type: 'answer', sdp: m.sdp } };
    case 'candidate': {
      const mid = m.sdpMid ?? null;
      const index = m.sdpMLineIndex ?? null;
      if (!isString(m.candidate, 1024) || (mid !== null && typeof mid !== 'string') || (index !== null && !isNum(index))) return bad('candidate');
      return { ok: true, message: { type: 'candidate', candidate: m.candidate, sdpMid: mid, sdpMLineIndex: index } };
    }
    case 'stats':
      if (!isSessionStatsSnapshot(m.stats)) return bad('stats');
      return { ok: true, message: { type: 'stats', stats: m.stats } };
    case 'error':
      if (typeof m.message !== 'string') return bad('message');
      return { ok: true, message: { type: 'error', message: m.message } };
    default:
      return { ok: false, reason: 'unknown message type' };
  }
}

/** Parses the /api/models answer; null when it is not one. */
export function parseModelsResponse(value: unknown): ModelsResponse | null {
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  if (typeof m.default !== 'string' || !Array.isArray(m.models) || !m.models.every((x) => typeof x === 'string') || typeof m.broadcast !== 'boolean') return null;
  // Servers before the webrtc field offered WebRTC.
  return { default: m.default, models: m.models as string[], broadcast: m.broadcast, webrtc: m.webrtc !== false };
}
