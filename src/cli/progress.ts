/**
 * Progress reporting for long commands: a one-line bar with rate and ETA on a TTY, one JSON object a
 * line (at most one a second, plus a final summary) with --json, and on a pipe or a log file without
 * --json a plain line every few seconds (a long conversion would otherwise print nothing until its end).
 */
export interface ProgressOptions {
  /** Print JSON lines on stdout instead of a bar on stderr. Default: false. */
  json?: boolean;
  /** What is counted, e.g. "frames" or "steps". Default: "items". */
  unit?: string;
  /** Label before the bar, e.g. the command name. Default: "". */
  label?: string;
  /** Stream the bar is drawn on. Default: process.stderr. */
  stream?: NodeJS.WriteStream;
  /** When the stream is not a TTY (and not --json): seconds between plain progress lines. Default: 5. */
  everyS?: number;
}

export interface ProgressReporter {
  /** Reports `done` of `total` (total may be unknown). Extra fields go into the JSON line. */
  update(done: number, total?: number, extra?: Record<string, unknown>): void;
  /** Clears the bar and, with --json, prints the summary line. */
  finish(summary: Record<string, unknown>): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

/** Pure: the text of the bar for a given state, so it can be tested without a terminal. */
export function renderBar(label: string, unit: string, done: number, total: number | undefined, elapsedS: number, width = 24): string {
  const rate = elapsedS > 0 ? done / elapsedS : 0;
  const rateText = `${rate.toFixed(rate < 10 ? 2 : 1)} ${unit}/s`;
  if (total === undefined || total <= 0) return `${label}${done} ${unit} · ${rateText} · ${formatDuration(elapsedS)}`;
  const frac = Math.min(1, done / total);
  const filled = Math.round(frac * width);
  const eta = rate > 0 ? (total - done) / rate : Number.NaN;
  return `${label}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${unit} ${(frac * 100).toFixed(0)}% · ${rateText} · ETA ${formatDuration(eta)}`;
}

/** Pure: the plain progress line printed to a pipe or a log file (no bar, no carriage return). */
export function renderLine(label: string, unit: string, done: number, total: number | undefined, elapsedS: number): string {
  const rate = elapsedS > 0 ? done / elapsedS : 0;
  const rateText = `${rate.toFixed(rate < 10 ? 2 : 1)} ${unit}/s`;
  if (total === undefined || total <= 0) return `${label}${done} ${unit} · ${rateText} · ${formatDuration(elapsedS)} elapsed`;
  const eta = rate > 0 ? (total - done) / rate : Number.NaN;
  return `${label}${done}/${total} ${unit} (${((Math.min(1, done / total)) * 100).toFixed(0)}%) · ${rateText} · ${formatDuration(elapsedS)} elapsed, ETA ${formatDuration(eta)}`;
}

export function createProgress(options: ProgressOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const unit = options.unit ?? 'items';
  const label = options.label ? `${options.label} ` : '';
  const started = performance.now();
  const everyS = options.everyS ?? 5;
  let lastJson = 0;
  let lastLine = 0;
  let drawn = false;
  return {
    update(done, total, extra) {
      const elapsedS = (performance.now() - started) / 1000;
      if (options.json) {
        if (elapsedS - lastJson < 1 && done !== total) return;
        lastJson = elapsedS;
        process.stdout.write(JSON.stringify({ type: 'progress', done, total: total ?? null, unit, elapsedS: round3(elapsedS), rate: round3(done / Math.max(elapsedS, 1e-9)), ...extra }) + '\n');
      } else if (stream.isTTY) {
        stream.write('\r\x1b[2K' + renderBar(label, unit, done, total, elapsedS, 24).slice(0, Math.max(20, (stream.columns || 100) - 1)));
        drawn = true;
      } else if (elapsedS - lastLine >= everyS) {
        lastLine = elapsedS;
        stream.write(renderLine(label, unit, done, total, elapsedS) + '\n');
      }
    },
    finish(summary) {
      if (drawn) stream.write('\r\x1b[2K');
      if (options.json) process.stdout.write(JSON.stringify({ type: 'summary', ...summary }) + '\n');
    },
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
