import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { MetricsLine } from '../../src/train/metrics.js';
import { plotRun, renderLossSvg } from '../../src/train/plot-losses.js';

const run = promisify(execFile);

function lines(): MetricsLine[] {
  return Array.from({ length: 10 }, (_, i) => ({
    step: i + 1,
    phase: i < 4 ? 'pretrain' : 'gan',
    lr: 1e-4,
    seconds: 1,
    losses: (i < 4 ? { content: 1 / (i + 1) } : { content: 0.2, d_total: 2 - i * 0.1, g_adv: 0.7 }) as Record<string, number>,
    time: new Date(0).toISOString(),
  }));
}

test('renderLossSvg draws one panel and one curve per loss', () => {
  const svg = renderLossSvg(lines());
  assert.match(svg, /^<svg /);
  for (const key of ['content', 'd_total', 'g_adv']) assert.ok(svg.includes(`>${key}</text>`), key);
  assert.equal((svg.match(/<path /g) ?? []).length, 3);
  // The content curve has 10 points (M + 9 L), d_total 6.
  const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]!.split(' ').length).sort((a, b) => a - b);
  assert.deepEqual(paths, [6, 6, 10]);
  assert.ok(svg.includes('fill="#f0f0f0"'), 'pretraining is shaded');
});

test('plotRun writes SVG and PNG; the CLI reports a run without metrics in one line', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'plot-test-'));
  try {
    await writeFile(path.join(dir, 'metrics.jsonl'), lines().map((l) => JSON.stringify(l)).join('\n') + '\n{"torn');
    const svgFile = await plotRun({ run: dir });
    assert.equal(svgFile, path.join(dir, 'losses.svg'));
    assert.match(await readFile(svgFile, 'utf8'), /<svg/);
    const png = await plotRun({ run: dir, out: path.join(dir, 'l.png'), smooth: 3 });
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, 'png');
    assert.ok((meta.width ?? 0) > 500);
    const empty = await mkdtemp(path.join(os.tmpdir(), 'plot-empty-'));
    const err = await run(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'plot', empty]).then(() => undefined, (e: { code: number; stderr: string }) => e);
    await rm(empty, { recursive: true, force: true });
    assert.ok(err, 'plot of an empty run fails');
    assert.equal(err.code, 1);
    assert.match(err.stderr, /^japananime: .*no metrics\.jsonl lines to plot\n$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
