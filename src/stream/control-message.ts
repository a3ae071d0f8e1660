/**
 * JSON control messages on the WebSocket (signalling and reports). Parsing is strict and pure: a
 * message that is not one of these closes the socket with 1007 (bad JSON / bad fields) or 1003
 * (unknown type), and the server carries on.
 */

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
  | { type: 'stats'; stats: unknown }
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

/**
 * ICE candidate filter: when the server is bound to loopback, only loopback addresses are offered or
 * dialled, so media never leaves the machine. Peer-reflexive candidates learnt from the browser's
 * own checks still work.
 */
export function isLoopbackCandidate(candidate: string): boolean {
  // candidate:<foundation> <component> <proto> <priority> <address> <port> typ <type> ...
  const address = candidate.replace(/^a=/, '').split(' ')[4];
  if (address === undefined) return false;
  return address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

/** Removes the non-loopback `a=candidate` lines of an SDP. */
export function filterSdpCandidates(sdp: string, keep: (candidate: string) => boolean): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || keep(line.slice(2)))
    .join('\r\n');
}

/** Bitrate hints for the video codecs of an SDP, in kbps (libwebrtc's x-google-*-bitrate fmtp parameters). */
export interface VideoBitrateHints {
  minKbps: number;
  startKbps: number;
  maxKbps: number;
}

/**
 * Adds x-google-min/start/max-bitrate to every video codec's fmtp line (a codec without one gets
 * one). Applied to a remote description, they set the bandwidth estimator's bounds of the side that
 * applies it: its sender.
 */
export function setVideoBitrateHints(sdp: string, hints: VideoBitrateHints): string {
  const params = `x-google-min-bitrate=${Math.round(hints.minKbps)};x-google-start-bitrate=${Math.round(hints.startKbps)};x-google-max-bitrate=${Math.round(hints.maxKbps)}`;
  const lines = sdp.split('\r\n');
  const out: string[] = [];
  let inVideo = false;
  const videoPayloads = new Set<string>();
  const withFmtp = new Set<string>();
  for (const line of lines) {
    if (line.startsWith('m=')) inVideo = line.startsWith('m=video');
    const rtpmap = /^a=rtpmap:(\d+) (VP8|VP9|H264|AV1)\//i.exec(line);
    if (inVideo && rtpmap?.[1]) videoPayloads.add(rtpmap[1]);
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (inVideo && fmtp?.[1] && videoPayloads.has(fmtp[1])) {
      withFmtp.add(fmtp[1]);
      out.push(`a=fmtp:${fmtp[1]} ${(fmtp[2] ?? '').replace(/;?x-google-(min|start|max)-bitrate=\d+/g, '')};${params}`.replace(' ;', ' '));
      continue;
    }
    out.push(line);
  }
  // Codecs without an fmtp line get one right after their rtpmap.
  const result: string[] = [];
  for (const line of out) {
    result.push(line);
    const rtpmap = /^a=rtpmap:(\d+) /.exec(line);
    if (rtpmap?.[1] && videoPayloads.has(rtpmap[1]) && !withFmtp.has(rtpmap[1])) result.push(`a=fmtp:${rtpmap[1]} ${params}`);
  }
  return result.join('\r\n');
}
