/**
 * Summaries of measured samples shared by the live server's stats, the benches and the web viewer
 * (which bundles this file): one median, not one per caller.
 */

/** Median of a list (the mean of the middle two for an even count), or null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
