/**
 * Frame rates as exact fractions (30000/1001 is not 29.97). A leaf module: the argument builders
 * and the probe both use it, and neither imports the other for it.
 */

export interface Rational {
  num: number;
  den: number;
}

/** Parses "30000/1001" (or "25") into a reduced rational; undefined for 0/0 or garbage. */
export function parseRational(text: string | undefined): Rational | undefined {
  if (!text) return undefined;
  const m = /^(\d+)(?:\/(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const num = Number(m[1]);
  const den = m[2] === undefined ? 1 : Number(m[2]);
  if (!(num > 0) || !(den > 0)) return undefined;
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
