/**
 * `japananime doctor`: what this installation can do and how to fix what it cannot. Each check
 * reports where a thing was found (and its version), or the one command that fixes it. Exit 0 when
 * everything the main job needs is there (ffmpeg, ffprobe, ONNX Runtime on the CPU), else 1.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { readCommandOutput } from '../../media/child-process.js';
import { findOnPath, resolveFfmpeg } from '../../media/ffmpeg-binary.js';
import type { CommandModule } from '../command-module.js';

const HELP = `Usage: japananime doctor [--json]

Checks ffmpeg/ffprobe (which binary, from where, version, encoders), ONNX Runtime (version,
execution providers), TensorFlow.js (wasm backend), WebGPU adapters (name, Dawn backend, software
or hardware; for train --backend webgpu), Chromium (for the end-to-end tests) and the
default model, and prints the fix for each missing thing.

  --json   print one JSON object a line, one per check, then a summary`;

export interface DoctorCheck {
  /** What was checked, e.g. "ffmpeg". */
  name: string;
  /** 'ok', 'missing' (needed for the main job), or 'optional' (missing, but only some features need it). */
  status: 'ok' | 'missing' | 'optional';
  /** Where/which version, or what is wrong. */
  detail: string;
  /** How to fix it, when not ok. */
  fix?: string;
}

const require = createRequire(import.meta.url);

async function packageVersion(name: string): Promise<string | undefined> {
  try {
    const file = require.resolve(`${name}/package.json`);
    return (JSON.parse(await readFile(file, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/\s+Copyright.*$/, '').trim();
}

async function checkFfmpeg(): Promise<DoctorCheck[]> {
  let resolved;
  try {
    resolved = await resolveFfmpeg();
  } catch (err) {
    const message = (err as Error).message;
    return [{ name: 'ffmpeg', status: 'missing', detail: message, fix: 'sudo apt-get install ffmpeg (or brew install ffmpeg), or set FFMPEG_PATH/FFPROBE_PATH' }];
  }
  const checks: DoctorCheck[] = [];
  try {
    const version = firstLine(await readCommandOutput(resolved.ffmpeg, ['-hide_banner', '-version']));
    checks.push({ name: 'ffmpeg', status: 'ok', detail: `${resolved.ffmpeg} (from ${resolved.source}): ${version}` });
    const encoders = await readCommandOutput(resolved.ffmpeg, ['-hide_banner', '-encoders']);
    const want: Array<[string, string]> = [['libx264', 'H.264 output (default)'], ['libvpx-vp9', '--codec vp9'], ['aac', 'audio re-encoding to MP4'], ['libopus', 'audio re-encoding to WebM']];
    const missing = want.filter(([enc]) => !new RegExp(`\\s${enc}\\s`).test(encoders));
    checks.push(
      missing.length === 0
        ? { name: 'ffmpeg encoders', status: 'ok', detail: want.map(([e]) => e).join(', ') }
        : { name: 'ffmpeg encoders', status: missing.some(([e]) => e === 'libx264') ? 'missing' : 'optional', detail: `not built in: ${missing.map(([e, why]) => `${e} (${why})`).join(', ')}`, fix: 'install a full ffmpeg build (Debian: apt-get install ffmpeg) or point FFMPEG_PATH at one' },
    );
  } catch (err) {
    checks.push({ name: 'ffmpeg', status: 'missing', detail: `${resolved.ffmpeg} does not run: ${(err as Error).message}`, fix: 'reinstall ffmpeg or set FFMPEG_PATH to a working binary' });
  }
  try {
    const version = firstLine(await readCommandOutput(resolved.ffprobe, ['-hide_banner', '-version']));
    checks.push({ name: 'ffprobe', status: 'ok', detail: `${resolved.ffprobe}: ${version}` });
  } catch (err) {
    checks.push({ name: 'ffprobe', status: 'missing', detail: `${resolved.ffprobe} does not run: ${(err as Error).message}`, fix: 'reinstall ffmpeg (ffprobe comes with it) or set FFPROBE_PATH' });
  }
  return checks;
}

async function checkOnnx(): Promise<DoctorCheck[]> {
  const version = await packageVersion('onnxruntime-node');
  if (!version) return [{ name: 'onnxruntime-node', status: 'missing', detail: 'not installed', fix: 'npm install' }];
  try {
    const { listExecutionProviders } = await import('../../engine/onnx-stylizer.js');
    const providers = listExecutionProviders();
    const checks: DoctorCheck[] = [{ name: 'onnxruntime-node', status: 'ok', detail: `${version}; execution providers: ${providers.map((p) => `${p.name}${p.available ? '' : ' (not installed)'}`).join(', ')}` }];
    const cuda = providers.find((p) => p.name === 'cuda');
    if (cuda && !cuda.available) checks.push({ name: 'onnx cuda', status: 'optional', detail: 'CUDA execution provider not installed (--device cuda unavailable)', fix: cuda.fix });
    return checks;
  } catch (err) {
    return [{ name: 'onnxruntime-node', status: 'missing', detail: `${version} installed but does not load: ${(err as Error).message.split('\n')[0]}`, fix: 'npm rebuild onnxruntime-node' }];
  }
}

async function checkTfjs(): Promise<DoctorCheck[]> {
  const version = await packageVersion('@tensorflow/tfjs');
  const wasmVersion = await packageVersion('@tensorflow/tfjs-backend-wasm');
  if (!version || !wasmVersion) return [{ name: 'tfjs (wasm)', status: 'optional', detail: 'not installed (training and --engine tfjs unavailable)', fix: 'npm install' }];
  try {
    const { initTfjs, describeTfjsBackend } = await import('../../engine/tfjs-backend.js');
    await initTfjs('wasm');
    const d = describeTfjsBackend();
    return [{ name: 'tfjs (wasm)', status: 'ok', detail: `@tensorflow/tfjs ${version}, backend ${d.backend}, SIMD ${d.simd ? 'yes' : 'no'}, threads ${d.threads ? 'yes' : 'no'}` }];
  } catch (err) {
    return [{ name: 'tfjs (wasm)', status: 'optional', detail: `wasm backend does not start: ${(err as Error).message}`, fix: 'npm install (reinstalls @tensorflow/tfjs-backend-wasm)' }];
  }
}

async function checkWebGpu(): Promise<DoctorCheck[]> {
  const [binding, backend] = await Promise.all([packageVersion('webgpu'), packageVersion('@tensorflow/tfjs-backend-webgpu')]);
  if (!binding || !backend) return [{ name: 'webgpu', status: 'optional', detail: 'not installed (train --backend webgpu unavailable)', fix: 'npm install' }];
  try {
    const { listWebGpuAdapters, noAdapterFix } = await import('../../engine/webgpu-adapter.js');
    const adapters = await listWebGpuAdapters();
    if (adapters.length === 0) return [{ name: 'webgpu', status: 'optional', detail: `webgpu ${binding}: no adapter found (train --backend webgpu unavailable)`, fix: noAdapterFix() }];
    return adapters.map((a) => ({ name: 'webgpu adapter', status: 'ok', detail: `${a.name} (${a.backend}, ${a.software ? 'software: slower than --backend wasm' : 'hardware'}${a.featureLevel === 'compatibility' ? ', compatibility' : ''})` }));
  } catch (err) {
    return [{ name: 'webgpu', status: 'optional', detail: (err as Error).message, fix: 'npm install (reinstalls webgpu)' }];
  }
}

async function checkChromium(): Promise<DoctorCheck> {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', findOnPath('chromium'), findOnPath('chromium-browser'), findOnPath('google-chrome')].filter((p): p is string => !!p && existsSync(p));
  const exe = candidates[0];
  if (!exe) return { name: 'chromium', status: 'optional', detail: 'not found (only the end-to-end browser tests need it)', fix: 'sudo apt-get install chromium, or set CHROMIUM_PATH' };
  try {
    return { name: 'chromium', status: 'ok', detail: `${exe}: ${firstLine(await readCommandOutput(exe, ['--version']))}` };
  } catch {
    return { name: 'chromium', status: 'ok', detail: `${exe} (version unknown)` };
  }
}

async function checkDefaultModel(): Promise<DoctorCheck> {
  try {
    const { loadModelPackage } = await import('../../model/model-package.js');
    const pkg = await loadModelPackage();
    return { name: 'default model', status: 'ok', detail: `${pkg.dir}: ${pkg.meta.architecture}, ${pkg.meta.parameters} parameters` };
  } catch (err) {
    return { name: 'default model', status: 'optional', detail: (err as Error).message, fix: 'pass --model <dir|name> to stylize, or export a trained run into models/default (japananime export <run> --out models/default)' };
  }
}

function checkNode(): DoctorCheck {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20 ? { name: 'node', status: 'ok', detail: process.version } : { name: 'node', status: 'missing', detail: `${process.version} is too old`, fix: 'install Node.js 20 or newer' };
}

/** Runs every check. Library function behind the command (no printing). */
export async function runDoctorChecks(): Promise<DoctorCheck[]> {
  const [ffmpeg, onnx, tfjs, webgpu, chromium, model] = await Promise.all([checkFfmpeg(), checkOnnx(), checkTfjs(), checkWebGpu(), checkChromium(), checkDefaultModel()]);
  return [checkNode(), ...ffmpeg, ...onnx, ...tfjs, ...webgpu, chromium, model];
}

/** Pure: the text report. */
export function formatDoctor(checks: DoctorCheck[]): string {
  const mark = { ok: 'ok  ', missing: 'FAIL', optional: 'warn' } as const;
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${mark[c.status]}  ${c.name.padEnd(17)} ${c.detail}`);
    if (c.fix && c.status !== 'ok') lines.push(`      ${''.padEnd(17)} fix: ${c.fix}`);
  }
  return lines.join('\n');
}

export const command: CommandModule = {
  summary: 'check ffmpeg, ONNX Runtime, tfjs, WebGPU, Chromium and the default model, with fixes',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { json: { type: 'boolean' } } });
    if (positionals.length > 0) throw new UsageError(`doctor takes no arguments, got '${positionals[0]}'`);
    const checks = await runDoctorChecks();
    const failed = checks.filter((c) => c.status === 'missing');
    if (values.json) {
      for (const c of checks) process.stdout.write(JSON.stringify({ type: 'check', ...c }) + '\n');
      process.stdout.write(JSON.stringify({ type: 'summary', ok: failed.length === 0, missing: failed.map((c) => c.name) }) + '\n');
    } else {
      process.stdout.write(formatDoctor(checks) + '\n');
      process.stdout.write(failed.length === 0 ? 'ready: everything the main job needs is installed\n' : `not ready: ${failed.map((c) => c.name).join(', ')} missing\n`);
    }
    return failed.length === 0 ? 0 : 1;
  },
};
