/**
 * `japananime plot <run>`: every loss curve of metrics.jsonl drawn as an SVG (one panel per loss,
 * shared step axis, pretraining shaded), optionally rasterised to PNG with sharp.
 */
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { RunError } from '../errors.js';
import { readMetrics, type MetricsLine } from './metrics.js';

export interface PlotOptions {
  /** Training run folder. Required. */
  run: string;
  /** Output file (.svg or .png). Default: <run>/losses.svg. */
  out?: string;
  /** Moving-average window in steps (1 = raw). Default: 1. */
  smooth?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function niceNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1000 || a < 0.01 ? v.toExponential(2) : v.toPrecision(3);
}

/** Pure: the SVG text of the loss curves. */
export function renderLossSvg(lines: MetricsLine[], smooth = 1): string {
  const keys = [...new Set(lines.flatMap((l) => Object.keys(l.losses)))].sort();
  const panelW = 520;
  const panelH = 170;
  const margin = { left: 64, right: 16, top: 28, bottom: 28 };
  const cols = 2;
  const rows = Math.max(1, Math.ceil(keys.length / cols));
  const width = cols * (panelW + margin.left + margin.right);
  const height = rows * (panelH + margin.top + margin.bottom) + 30;
  const maxStep = Math.max(1, ...lines.map((l) => l.step));
  const minStep = Math.min(maxStep, ...lines.map((l) => l.step));
  const lastPretrain = Math.max(0, ...lines.filter((l) => l.phase === 'pretrain').map((l) => l.step));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-size="14">losses · ${lines.length} steps${smooth > 1 ? ` · moving average ${smooth}` : ''}</text>`,
  ];
  keys.forEach((key, i) => {
    const ox = (i % cols) * (panelW + margin.left + margin.right) + margin.left;
    const oy = Math.floor(i / cols) * (panelH + margin.top + margin.bottom) + margin.top + 30;
    const raw = lines.filter((l) => Number.isFinite(l.losses[key])).map((l) => [l.step, l.losses[key]!] as const);
    const pts = raw.map(([s], j) => {
      const from = Math.max(0, j - smooth + 1);
      const win = raw.slice(from, j + 1);
      return [s, win.reduce((a, [, v]) => a + v, 0) / win.length] as const;
    });
    const vals = pts.map(([, v]) => v);
    let lo = Math.min(...vals);
    let hi = Math.max(...vals);
    if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
    if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5 * Math.abs(lo || 1), hi + 0.5 * Math.abs(hi || 1)];
    const sx = (s: number): number => ox + (maxStep === minStep ? panelW / 2 : ((s - minStep) / (maxStep - minStep)) * panelW);
    const sy = (v: number): number => oy + panelH - ((v - lo) / (hi - lo)) * panelH;
    out.push(`<g>`);
    if (lastPretrain > 0) out.push(`<rect x="${ox}" y="${oy}" width="${Math.max(0, sx(lastPretrain) - ox).toFixed(1)}" height="${panelH}" fill="#f0f0f0"/>`);
    out.push(`<rect x="${ox}" y="${oy}" width="${panelW}" height="${panelH}" fill="none" stroke="#888"/>`);
    out.push(`<text x="${ox}" y="${oy - 6}" font-weight="bold">${escapeXml(key)}</text>`);
    for (const f of [0, 0.5, 1]) {
      const v = lo + f * (hi - lo);
      out.push(`<text x="${ox - 4}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end" fill="#444">${niceNumber(v)}</text>`);
    }
    out.push(`<text x="${ox}" y="${oy + panelH + 14}" fill="#444">${minStep}</text><text x="${ox + panelW}" y="${oy + panelH + 14}" text-anchor="end" fill="#444">step ${maxStep}</text>`);
    if (pts.length > 0) {
      const d = pts.map(([s, v], j) => `${j === 0 ? 'M' : 'L'}${sx(s).toFixed(1)},${sy(v).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5"/>`);
    }
    out.push(`</g>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Writes the plot; returns the file written. */
export async function plotRun(options: PlotOptions): Promise<string> {
  const runDir = path.resolve(options.run);
  const lines = await readMetrics(runDir);
  if (lines.length === 0) throw new RunError(`${runDir} has no metrics.jsonl lines to plot`);
  const out = path.resolve(options.out ?? path.join(runDir, 'losses.svg'));
  const svg = renderLossSvg(lines, options.smooth ?? 1);
  const temp = `${out}.${process.pid}.tmp`;
  if (out.toLowerCase().endsWith('.png')) await sharp(Buffer.from(svg)).png().toFile(temp);
  else await writeFile(temp, svg);
  await rename(temp, out);
  return out;
}
