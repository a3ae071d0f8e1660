import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AbortedError } from '../../src/errors.js';
import { FfmpegError, lastMeaningfulLine, liveChildCount, runFfmpeg, runFfprobeJson, spawnChild } from '../../src/media/child-process.js';
import { resolveFfmpeg } from '../../src/media/ffmpeg-binary.js';
import { waitFor } from '../wait-for.js';

/** True while a process exists and is not a zombie. */
function alive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** ffmpeg children of this test process (pgrep -P; tsx's esbuild service is a child too). */
function ourChildren(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number)
      .filter((pid) => safeCmdline(pid).includes('ffmpeg'));
  } catch {
    return [];
  }
}
function safeCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

void test('a clean exit is {kind: ok}', async () => {
  const { ffmpeg } = await resolveFfmpeg();
  const h = spawnChild(ffmpeg, ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=32x32:rate=5', '-frames:v', '2', '-f', 'null', '-']);
  assert.deepEqual(await h.exited, { kind: 'ok' });
});

void test('a failure keeps the exit code and the stderr tail', async () => {
  const { ffmpeg } = await resolveFfmpeg();
  const h = spawnChild(ffmpeg, ['-hide_banner', '-i', '/definitely/not/here.mp4']);
  const exit = await h.exited;
  assert.equal(exit.kind, 'failed');
  if (exit.kind !== 'failed') return;
  assert.equal(exit.code, 1);
  assert.equal(exit.signal, null);
  assert.match(exit.stderrTail, /No such file or directory/);
});

void test('the stderr tail is bounded', async () => {
  const h = spawnChild(process.execPath, ['-e', "process.stderr.write('x'.repeat(100000) + 'END'); process.exit(3)"], { stderrTailBytes: 1000 });
  const exit = await h.exited;
  assert.equal(exit.kind, 'failed');
  if (exit.kind !== 'failed') return;
  assert.equal(exit.code, 3);
  assert.ok(exit.stderrTail.length <= 1000 && exit.stderrTail.length >= 900, `tail length ${exit.stderrTail.length}`);
  assert.ok(exit.stderrTail.endsWith('END'));
});

void test('a binary that does not exist is a failed exit, not a crash', async () => {
  const h = spawnChild('/nonexistent/ffmpeg', []);
  const exit = await h.exited;
  assert.equal(exit.kind, 'failed');
  if (exit.kind === 'failed') assert.match(exit.stderrTail, /cannot start .*ENOENT/);
});

void test('writing to a child that has quit (EPIPE) does not throw', async () => {
  const h = spawnChild(process.execPath, ['-e', 'process.exit(0)'], { stdin: 'pipe' });
  await h.exited;
  for (let i = 0; i < 20; i++) h.stdin!.write(Buffer.alloc(65536));
  // The writes fail with EPIPE and the stream is destroyed; no error escapes.
  await waitFor('stdin to be destroyed', () => h.stdin!.destroyed, 5000, 10);
  assert.deepEqual(await h.exited, { kind: 'ok' });
});

void test('close() stops ffmpeg with SIGTERM, is idempotent, and leaves no process', async () => {
  const { ffmpeg } = await resolveFfmpeg();
  const h = spawnChild(ffmpeg, ['-hide_banner', '-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=32x32:rate=5', '-f', 'rawvideo', 'pipe:1'], { stdout: 'pipe' });
  const pid = h.pid!;
  // ffmpeg has started once its first frame comes out.
  await new Promise((r) => h.stdout!.once('data', r));
  h.stdout!.resume();
  assert.ok(alive(pid), 'ffmpeg runs before close');
  const [a, b] = await Promise.all([h.close(), h.close()]);
  assert.deepEqual(a, b);
  assert.equal(a.kind, 'failed');
  assert.ok(!alive(pid), 'ffmpeg is gone after close');
  assert.ok(!ourChildren().includes(pid));
  assert.deepEqual(await h.close(), a);
});

void test('close() falls back to SIGKILL when SIGTERM is ignored', async () => {
  const h = spawnChild(process.execPath, ['-e', "process.on('SIGTERM', () => {}); process.stderr.write('ready'); setInterval(() => {}, 1000)"], { killTimeoutMs: 200 });
  await waitFor('the child to be ready', () => h.stderrTail().includes('ready'), 10_000, 20);
  const started = Date.now();
  const exit = await h.close();
  assert.equal(exit.kind, 'failed');
  if (exit.kind === 'failed') assert.equal(exit.signal, 'SIGKILL');
  assert.ok(Date.now() - started >= 180);
  assert.ok(!alive(h.pid!));
});

void test('an AbortSignal stops the child; runFfmpeg then throws AbortedError', async () => {
  const controller = new AbortController();
  const run = runFfmpeg(['-hide_banner', '-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=32x32:rate=5', '-f', 'null', '-'], { signal: controller.signal });
  const before = await waitFor('ffmpeg to run', () => (ourChildren().length > 0 ? ourChildren() : null), 10_000, 20);
  controller.abort();
  assert.equal(before.length, 1, 'one ffmpeg running');
  await assert.rejects(run, AbortedError);
  assert.ok(!alive(before[0]!));
  assert.deepEqual(ourChildren(), []);
  assert.equal(liveChildCount(), 0);
});

void test('runFfmpeg throws E_FFMPEG_FAILED with one line; runFfprobeJson parses', async () => {
  await assert.rejects(runFfmpeg(['-hide_banner', '-i', '/no/such.mp4', '-f', 'null', '-']), (err: unknown) => {
    assert.ok(err instanceof FfmpegError);
    assert.equal(err.code, 'E_FFMPEG_FAILED');
    assert.ok(!err.message.includes('\n'));
    assert.match(err.message, /exit code 1.*No such file/);
    return true;
  });
  const json = (await runFfprobeJson(['-f', 'lavfi', '-show_streams', 'testsrc2=size=40x30:rate=5'])) as { streams: Array<{ width: number }> };
  assert.equal(json.streams[0]?.width, 40);
});

void test('lastMeaningfulLine skips ffmpeg boilerplate', () => {
  assert.equal(lastMeaningfulLine('a\nreal reason\nConversion failed!\n\n'), 'real reason');
  assert.equal(lastMeaningfulLine(''), '(no message)');
});

test('spawnChild lowers the child to the requested niceness and leaves it at ours by default', async () => {
  const { getPriority } = await import('node:os');
  const lowered = spawnChild('sleep', ['5'], { niceness: 7 });
  const plain = spawnChild('sleep', ['5']);
  try {
    assert.equal(getPriority(lowered.pid!), Math.min(19, getPriority() + 7));
    assert.equal(getPriority(plain.pid!), getPriority());
  } finally {
    await Promise.all([lowered.close(), plain.close()]);
  }
});
