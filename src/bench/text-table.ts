/**
 * The one table formatter of the benchmarks (`japananime bench`, src/bench/*, bench/*.ts): every
 * benchmark's output is a table, and one formatter keeps them reading alike and lets a fix to column
 * widths land everywhere at once. Cells arrive as strings: each benchmark decides its own digits.
 *
 * Two styles: `aligned` for a terminal (numbers right-aligned so their digits line up, the first
 * `leftColumns` columns, the names, left-aligned) and `markdown` for pasting into the README.
 */

export interface TextTableOptions {
  /** `aligned`: columns two spaces apart under a dashed rule; `markdown`: a pipe table. Default: 'aligned'. */
  style?: 'aligned' | 'markdown';
  /** aligned: how many leading columns are left-aligned (labels); the others are right-aligned. Default: 1. */
  leftColumns?: number;
}

/** Pure: a header and rows of cells as a fixed-width table, one line a row, no trailing newline. */
export function formatTable(header: string[], rows: string[][], options: TextTableOptions = {}): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  if (options.style === 'markdown') {
    const line = (cells: string[]): string => `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
    return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
  }
  const left = options.leftColumns ?? 1;
  const line = (cells: string[]): string => widths.map((w, i) => (i < left ? (cells[i] ?? '').padEnd(w) : (cells[i] ?? '').padStart(w))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
