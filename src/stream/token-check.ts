/**
 * The viewer token: a random secret printed with the URL at start. Compared in constant time on
 * SHA-256 digests so neither the content nor the length of the expected token leaks through timing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh URL-safe token (24 random bytes, base64url, 32 characters). */
export function createToken(): string {
  return randomBytes(24).toString('base64url');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** True when `given` equals `expected`; false for a missing or different token. Constant time. */
export function checkToken(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || expected.length === 0) return false;
  // Equal-length digests: timingSafeEqual throws on unequal lengths, and raw lengths would leak.
  return timingSafeEqual(digest(expected), digest(given));
}

/** The `token` query parameter of a request URL (path + query), or null. */
export function tokenFromUrl(requestUrl: string | undefined): string | null {
  if (!requestUrl) return null;
  try {
    return new URL(requestUrl, 'http://localhost').searchParams.get('token');
  } catch {
    return null;
  }
}
