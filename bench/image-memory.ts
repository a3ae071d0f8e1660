/**
 * Peak memory of stylizing a 6000×4000 photo with the default settings (tile 1024, batch 1).
 *
 *   node --import tsx bench/image-memory.ts [--model <dir>] [--tile N] [--size 6000x4000]
 *
 * The stylization runs in a child process so its peak RSS (VmHWM from /proc/self/status, and
 * process.resourceUsage().maxRSS) is the stylization's alone, not the image generation's. Without
 * --model it uses models/default, or a random-weight `fast` package when none is installed (same
 * cost and memory as trained weights). Target: < 2 GB. Prints a table.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { formatTable } from '../src/bench/text-table.js';

const TARGET_BYTES = 2 * 1024 ** 3;

interface ChildReport {
  vmHwmBytes: number | undefined;
  maxRssBytes: number;
  seconds: number;
  width: number;
  height: number;
  description: string;
}

async function child(input: string, output: string, model: string, tile: string | undefined): Promise<void> {
  const { stylizeImages } = await import('../src/pipeline/image/stylize-images.js');
  const started = performance.now();
  await stylizeImages({ input, output, model, ...(tile !== undefined && { tile: Number(tile) }), onProgress: () => undefined });
  const seconds = (performance.now() - started) / 1000;
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const hwm = /VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1];
  const meta = await sharp(output).metadata();
  const report: ChildReport = {
    vmHwmBytes: hwm === undefined ? undefined : Number(hwm) * 1024,
    // resourceUsage().maxRSS is in kilobytes.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    seconds,
    width: meta.width ?? 0,
    height: meta.height ?? 0,
    description: `tile ${tile ?? 'default'}`,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function parent(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string' }, tile: { type: 'string' }, size: { type: 'string', default: '6000x4000' } }, strict: true });
  const [width, height] = (values.size ?? '6000x4000').split('x').map(Number) as [number, number];
  if (!(width > 0 && height > 0)) throw new Error(`--size must be WxH, got ${values.size}`);
  const dir = await mkdtemp(path.join(tmpdir(), 'image-memory-'));
  try {
    let model = values.model;
    if (!model) {
      const { DEFAULT_MODEL_DIR } = await import('../src/project-paths.js');
      if (existsSync(path.join(DEFAULT_MODEL_DIR, 'meta.json'))) model = DEFAULT_MODEL_DIR;
      else {
        const { saveModelPackage } = await import('../src/model/model-package.js');
        const { initParams } = await import('../src/model/params.js');
        const { getArchitecture } = await import('../src/model/spec.js');
        const spec = getArchitecture('fast');
        model = path.join(dir, 'random-fast');
        await saveModelPackage(model, { spec, params: initParams(spec, 1), meta: { description: 'random weights (bench)' } });
        process.stderr.write('no models/default installed: using a random-weight fast package\n');
      }
    }
    const { syntheticPhoto } = await import('../test/engine/tiling/synthetic-photo.js');
    const input = path.join(dir, 'photo.jpg');
    const output = path.join(dir, 'photo-anime.jpg');
    await sharp(Buffer.from(syntheticPhoto(width, height)), { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toFile(input);

    const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', input, output, model];
    if (values.tile !== undefined) args.push(values.tile);
    const out = await new Promise<string>((resolve, reject) => {
      const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      proc.stdout.on('data', (d: Buffer) => (text += d.toString()));
      proc.on('error', reject);
      proc.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`the stylizing child exited with ${code}`))));
    });
    const report = JSON.parse(out.trim().split('\n').at(-1)!) as ChildReport;
    const peak = report.vmHwmBytes ?? report.maxRssBytes;
    const mb = (b: number | undefined): string => (b === undefined ? 'n/a' : `${Math.round(b / 1024 ** 2)} MB`);
    const rows: Array<[string, string]> = [
      ['image', `${width}x${height} → ${report.width}x${report.height}`],
      ['settings', values.tile ? `tile ${values.tile}` : 'defaults (tile 1024, batch 1)'],
      ['model', model],
      ['seconds', report.seconds.toFixed(1)],
      ['peak RSS (VmHWM)', mb(report.vmHwmBytes)],
      ['peak RSS (maxRSS)', mb(report.maxRssBytes)],
      ['target', `< ${mb(TARGET_BYTES)}: ${peak < TARGET_BYTES ? 'OK' : 'OVER'}`],
    ];
    process.stdout.write(formatTable(['measure', 'value'], rows, { style: 'markdown' }) + '\n');
    if (peak >= TARGET_BYTES) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const [input, output, model, tile] = process.argv.slice(childAt + 1);
  await child(input!, output!, model!, tile);
} else {
  await parent();
}
