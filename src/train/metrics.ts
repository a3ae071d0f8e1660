/**
 * metrics.jsonl: one JSON object per training step (every loss, the learning rate, seconds per step,
 * the phase). Appended line by line; on resume the lines after the checkpoint's step are dropped so
 * the file describes exactly the steps the parameters went through.
 */
import { existsSync } from 'node:fs';
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const METRICS_FILE = 'metrics.jsonl';

export interface MetricsLine {
  step: number;
  phase: 'pretrain' | 'gan';
  lr: number;
  /** Seconds this step took (data loading, gradients, optimiser). */
  seconds: number;
  /** Seconds the slowest worker spent computing gradients (seconds minus this = data, transfer, optimiser). */
  workerSeconds?: number;
  /** Every loss of the step (content, style, g_adv, g_total, d_real, d_fake, d_smooth, d_total). */
  losses: Record<string, number>;
  /** Wall-clock time the line was written (ISO 8601). */
  time: string;
}

export async function appendMetrics(runDir: string, line: MetricsLine): Promise<void> {
  await appendFile(path.join(runDir, METRICS_FILE), JSON.stringify(line) + '\n');
}

/** Reads metrics.jsonl, skipping a torn last line (a kill mid-write). */
export async function readMetrics(runDir: string): Promise<MetricsLine[]> {
  const file = path.join(runDir, METRICS_FILE);
  if (!existsSync(file)) return [];
  const out: MetricsLine[] = [];
  for (const text of (await readFile(file, 'utf8')).split('\n')) {
    if (!text.trim()) continue;
    try {
      out.push(JSON.parse(text) as MetricsLine);
    } catch {
      // torn line
    }
  }
  return out;
}

/** Keeps only the lines of steps ≤ `step` (atomically rewritten). */
export async function truncateMetrics(runDir: string, step: number): Promise<void> {
  const lines = (await readMetrics(runDir)).filter((l) => l.step <= step);
  const file = path.join(runDir, METRICS_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, lines.map((l) => JSON.stringify(l) + '\n').join(''));
  await rename(temp, file);
}
