/**
 * Whether a WebSocket upgrade is let in, decided before anything is allocated for it: the path (/ws),
 * the token (401), the Origin (403), the server's socket cap (503) and the per-address cap (429), in
 * that order. Pure: the request's facts and the current counts in, a verdict out; the server writes
 * the rejection to the socket.
 */
import { isOriginAllowed } from './origin-check.js';
import { checkToken, tokenFromUrl } from './token-check.js';

/** What the upgrade request says of itself. */
export interface UpgradeRequest {
  /** The request target (path and query), e.g. "/ws?token=…". */
  url: string | undefined;
  /** The Origin header; browsers always send it, scripts may not. */
  origin: string | undefined;
  /** The Host header (a same-origin page's Origin names it). */
  host: string | undefined;
}

/** Sockets open now. */
export interface OpenSockets {
  /** On the whole server, sessions and sockets still waiting for their hello alike. */
  total: number;
  /** From the request's remote address. */
  fromAddress: number;
}

export interface AdmissionPolicy {
  /** The viewer token, given as `?token=` on the socket's URL. */
  token: string;
  /** Origins allowed besides the server's own. */
  allowOrigins: readonly string[];
  /** Most sockets on the server. */
  maxSessions: number;
  /** Most sockets from one address. */
  maxConnectionsPerAddress: number;
}

/** Why an upgrade was refused; each but 'path' is counted in /api/stats' `rejected`. */
export type UpgradeRejection = 'path' | 'token' | 'origin' | 'sessions' | 'address';

export type Admission = { admit: true } | { admit: false; reason: UpgradeRejection; status: number; statusText: string };

const REJECTIONS: Record<UpgradeRejection, { status: number; statusText: string }> = {
  path: { status: 404, statusText: 'Not Found' },
  token: { status: 401, statusText: 'Unauthorized' },
  origin: { status: 403, statusText: 'Forbidden' },
  sessions: { status: 503, statusText: 'Service Unavailable' },
  address: { status: 429, statusText: 'Too Many Requests' },
};

function reject(reason: UpgradeRejection): Admission {
  return { admit: false, reason, ...REJECTIONS[reason] };
}

/** The pathname of a request target, or null when it does not parse (e.g. "//"). */
function pathnameOf(target: string): string | null {
  try {
    return new URL(target, 'http://localhost').pathname;
  } catch {
    return null;
  }
}

export function admitUpgrade(request: UpgradeRequest, open: OpenSockets, policy: AdmissionPolicy): Admission {
  const target = request.url ?? '/';
  if (pathnameOf(target) !== '/ws') return reject('path');
  if (!checkToken(policy.token, tokenFromUrl(target))) return reject('token');
  if (!isOriginAllowed(request.origin, request.host, policy.allowOrigins)) return reject('origin');
  if (open.total >= policy.maxSessions) return reject('sessions');
  if (open.fromAddress >= policy.maxConnectionsPerAddress) return reject('address');
  return { admit: true };
}
