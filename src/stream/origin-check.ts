/**
 * Cross-site WebSocket hijacking guard: a browser page from another origin must not open our socket
 * (it would ride on the token in a link). Browsers always send Origin on a WebSocket upgrade;
 * non-browser clients (scripts, the bench) may send none and are let through to the token check.
 */

/** Normalises an origin to scheme://host[:port] in lower case, or null when it is not a URL origin. */
export function normalizeOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * True when the upgrade may proceed: no Origin header, an Origin whose host equals the request's Host
 * header (same origin), or one listed in `allowList` (exact origins, e.g. "http://localhost:5173").
 */
export function isOriginAllowed(origin: string | undefined, hostHeader: string | undefined, allowList: readonly string[] = []): boolean {
  if (origin === undefined) return true;
  const normalized = normalizeOrigin(origin);
  if (normalized === null) return false;
  if (hostHeader !== undefined && new URL(normalized).host === hostHeader.toLowerCase()) return true;
  return allowList.some((allowed) => normalizeOrigin(allowed) === normalized);
}
