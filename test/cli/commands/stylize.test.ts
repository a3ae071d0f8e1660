/**
 * `japananime stylize` end to end through the real CLI process: flags, exit codes, one-line errors,
 * --json lines, and Ctrl-C (SIGINT) leaving no output, no temporary file and no ffmpeg behind.
 * (Lives beside the pipeline tests because the stylize command is this stage's.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chooseModel, isImageInput, parseStylizeArgs } from '../../../src/cli/commands/stylize.js';
import { preferInt8Copy } from '../../../src/model/quantize/int8-copy.js';
import { PROJECT_ROOT } from '../../../src/project-paths.js';
import { makeClip, tempDir } from '../../media/make-clip.js';
import { saveRandomModel } from '../../pipeline/random-model.js';

let dir = '';
let model = '';
let cleanup: () => Promise<void> = async () => undefined;
before(async () => {
  ({ dir, cleanup } = await tempDir());
  model = await saveRandomModel(dir);
});
after(() => cleanup());

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], onStdout?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/cli/bin.ts'), ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** ffmpeg processes anywhere on the machine whose command line mentions `needle`. */
function ffmpegProcessesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('ffmpeg') && cmd.includes(needle)) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

void test('parseStylizeArgs: every flag, and refusals', () => {
  const a = parseStylizeArgs(['in.mp4', '-o', 'out.mp4', '--model', 'm', '--engine', 'tfjs', '--device', 'cpu', '--threads', '2', '--batch', '8', '--max-side', '320', '--codec', 'vp9', '--crf', '30', '--preset', 'fast', '--allow-truncated', '--json']);
  assert.deepEqual(
    { ...a, videoFlags: undefined },
    { input: 'in.mp4', output: 'out.mp4', model: 'm', engine: 'tfjs', device: 'cpu', threads: 2, workers: undefined, batch: 8, maxSide: 320, codec: 'vp9', crf: 30, preset: 'fast', allowTruncated: true, json: true, tile: undefined, force: false, fp32: false, videoFlags: undefined },
  );
  assert.throws(() => parseStylizeArgs(['in.mp4']), /no output/);
  assert.throws(() => parseStylizeArgs(['-o', 'x.mp4']), /no input/);
  assert.throws(() => parseStylizeArgs(['a.mp4', 'b.mp4', '-o', 'x.mp4']), /one input/);
  assert.throws(() => parseStylizeArgs(['a.mp4', '-o', 'x.mp4', '--batch', '0']), /--batch must be a whole number ≥ 1/);
  assert.throws(() => parseStylizeArgs(['a.mp4', '-o', 'x.mp4', '--batch', '2.5']), /--batch/);
  assert.throws(() => parseStylizeArgs(['a.mp4', '-o', 'x.mp4', '--codec', 'av1']), /--codec must be h264 or vp9/);
  assert.throws(() => parseStylizeArgs(['a.mp4', '-o', 'x.mp4', '--preset', 'quick']), /--preset/);
  assert.throws(() => parseStylizeArgs(['a.mp4', '-o', 'x.mp4', '--codec', 'h264', '--crf', '60']), /0 to 51/);
  assert.throws(() => parseStylizeArgs(['a.mp4', '-o', 'x.mp4', '--device', 'tpu']), /--device/);
  assert.throws(() => parseStylizeArgs(['a.mp4', '-o', 'x.mp4', '--nope']), /Unknown option/);
  assert.equal(parseStylizeArgs(['a.mp4', '-o', 'x.mp4', '--fp32']).fp32, true);
});

void test('the shipped default runs as its int8 copy on the CPU; --fp32, another engine or device, or no copy keep the package asked for', () => {
  const base = { model: undefined, engine: undefined, device: undefined, fp32: false, json: true } as const;
  // The shipped int8 copy must be current (remade whenever models/default changes), or this fails.
  assert.equal(preferInt8Copy(path.join(PROJECT_ROOT, 'models/default')).precision, 'int8');
  assert.equal(chooseModel(base), path.join(PROJECT_ROOT, 'models/default-int8'));
  assert.equal(chooseModel({ ...base, model: 'default' }), path.join(PROJECT_ROOT, 'models/default-int8'));
  assert.equal(chooseModel({ ...base, fp32: true }), undefined);
  assert.equal(chooseModel({ ...base, engine: 'tfjs' }), undefined);
  assert.equal(chooseModel({ ...base, device: 'webgpu' }), undefined);
  assert.equal(chooseModel({ ...base, model }), model);
});

void test('converts with --json: progress lines then a summary, exit 0', async () => {
  const input = await makeClip(path.join(dir, 'clip.mp4'), { frames: 6 });
  const output = path.join(dir, 'clip-anime.mp4');
  const run = await cli(['stylize', input, '-o', output, '--model', model, '--threads', '1', '--batch', '2', '--preset', 'ultrafast', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const summary = lines.at(-1)!;
  assert.equal(summary.type, 'summary');
  assert.equal(summary.frames, 6);
  assert.equal(summary.output, output);
  assert.equal(summary.audio, 'copy');
  assert.ok(lines.slice(0, -1).every((l) => l.type === 'progress'));
});

void test('a bad input: one line on stderr, exit 1, nothing written', async () => {
  const output = path.join(dir, 'never.mp4');
  const run = await cli(['stylize', path.join(dir, 'missing.mp4'), '-o', output, '--model', model]);
  assert.equal(run.code, 1);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, /^japananime: .*missing\.mp4 does not exist$/m);
  assert.ok(!(await readdir(dir)).includes('never.mp4'));
  const usage = await cli(['stylize', 'x.mp4', '-o', 'y.mp4', '--crf', 'high']);
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /--crf must be a whole number/);
});

void test('Ctrl-C (SIGINT) mid-way: exit 130, no output, no temporary file, no ffmpeg left', async () => {
  const input = await makeClip(path.join(dir, 'long.mp4'), { width: 96, height: 64, frames: 300 });
  const output = path.join(dir, 'long-anime.mp4');
  let sent = false;
  const run = await cli(['stylize', input, '-o', output, '--model', model, '--threads', '1', '--batch', '2', '--json'], (text, child) => {
    if (!sent && text.includes('"type":"progress"')) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  assert.ok(sent, `no progress line seen: ${run.stdout} ${run.stderr}`);
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stderr, /SIGINT: stopping/);
  const files = await readdir(dir);
  assert.ok(!files.includes('long-anime.mp4'));
  assert.deepEqual(files.filter((f) => f.endsWith('.partial')), []);
  assert.deepEqual(ffmpegProcessesMentioning(dir), []);
});

void test('a conversion killed outright (SIGKILL) leaves a temporary file; the next run to that output removes it and says so', async () => {
  const input = await makeClip(path.join(dir, 'killed.mp4'), { width: 96, height: 64, frames: 300 });
  const output = path.join(dir, 'killed-anime.mp4');
  const args = ['stylize', input, '-o', output, '--model', model, '--threads', '1', '--batch', '2', '--json'];
  let killedPid: number | undefined;
  const killed = await cli(args, (text, child) => {
    if (killedPid === undefined && text.includes('"type":"progress"')) {
      killedPid = child.pid;
      child.kill('SIGKILL');
    }
  });
  assert.ok(killedPid !== undefined, `no progress line seen: ${killed.stdout} ${killed.stderr}`);
  assert.equal(killed.code, null, 'killed by a signal');
  // Its ffmpeg children notice the closed pipes and end on their own; the encoder closes its file.
  for (let i = 0; i < 100 && ffmpegProcessesMentioning(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(ffmpegProcessesMentioning(dir), []);
  const left = (await readdir(dir)).filter((f) => f.endsWith('.partial'));
  assert.deepEqual(left, left.filter((f) => f.startsWith(`.killed-anime.mp4.${killedPid}-`)));
  assert.equal(left.length, 1, 'SIGKILL skips the cleanup: the temporary file stays');

  const rerun = await cli(args);
  assert.equal(rerun.code, 0, rerun.stderr);
  const warning = rerun.stdout.split('\n').find((l) => l.includes('"type":"warning"'));
  assert.match(warning ?? '', /removed a temporary file that an interrupted conversion to killed-anime\.mp4 left behind/);
  const files = await readdir(dir);
  assert.ok(files.includes('killed-anime.mp4'));
  assert.deepEqual(files.filter((f) => f.endsWith('.partial')), []);
});

void test('images and folders go to the image stage, videos to convertVideo', async () => {
  assert.equal(await isImageInput('holiday/IMG_0001.JPG'), true);
  assert.equal(await isImageInput('x.webp'), true);
  assert.equal(await isImageInput(dir), true);
  assert.equal(await isImageInput(path.join(dir, 'clip.mp4')), false);
  assert.equal(await isImageInput('missing.mov'), false);
  const refused = await cli(['stylize', 'photo.jpg', '-o', 'out.jpg', '--max-side', '320']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /--max-side applies to videos only/);
});

void test('a photo: the success line names the output file; a second run redoes it', async () => {
  const { default: sharp } = await import('sharp');
  const photo = path.join(dir, 'photo.jpg');
  await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 120, g: 160, b: 200 } } }).jpeg().toFile(photo);
  const output = path.join(dir, 'photo-anime.png');
  for (let i = 0; i < 2; i++) {
    const run = await cli(['stylize', photo, '-o', output, '--model', model]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^stylized 1 image in \\d+\\.\\d s → ${output.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
  }
});
