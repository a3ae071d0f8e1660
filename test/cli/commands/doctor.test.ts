/**
 * `japananime doctor` through the real CLI (beside the pipeline tests because the command is this
 * stage's): it finds this machine's ffmpeg and ONNX Runtime, and a broken FFMPEG_PATH is reported
 * with its fix and exit 1.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { formatDoctor } from '../../../src/cli/commands/doctor.js';
import { PROJECT_ROOT } from '../../../src/project-paths.js';

function doctor(env: NodeJS.ProcessEnv, json = true) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/cli/bin.ts'), 'doctor', ...(json ? ['--json'] : [])], { cwd: PROJECT_ROOT, env, encoding: 'utf8', timeout: 60_000 });
}

void test('doctor finds ffmpeg/ffprobe with versions and the ONNX Runtime CPU provider', () => {
  const run = doctor({ ...process.env, FFMPEG_PATH: '', FFPROBE_PATH: '' });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; name?: string; status?: string; detail?: string });
  const byName = new Map(lines.filter((l) => l.type === 'check').map((l) => [l.name, l]));
  assert.equal(byName.get('ffmpeg')?.status, 'ok');
  assert.match(byName.get('ffmpeg')!.detail!, /ffmpeg \(from (path|env|ffmpeg-static|@ffmpeg-installer)\): ffmpeg version \S+/);
  assert.match(byName.get('ffprobe')!.detail!, /ffprobe version/);
  assert.match(byName.get('onnxruntime-node')!.detail!, /^\d+\.\d+\.\d+; execution providers: cpu/);
  assert.ok(byName.has('tfjs (wasm)') && byName.has('chromium') && byName.has('default model'));
  assert.deepEqual(lines.at(-1), { type: 'summary', ok: true, missing: [] });
});

void test('a broken FFMPEG_PATH: FAIL with the fix, exit 1', () => {
  const run = doctor({ ...process.env, FFMPEG_PATH: '/nonexistent/ffmpeg' }, false);
  assert.equal(run.status, 1);
  assert.match(run.stdout, /FAIL {2}ffmpeg .*FFMPEG_PATH=\/nonexistent\/ffmpeg/);
  assert.match(run.stdout, /fix: .*apt-get install ffmpeg/);
  assert.match(run.stdout, /not ready: ffmpeg missing/);
});

void test('formatDoctor marks each status', () => {
  const text = formatDoctor([
    { name: 'a', status: 'ok', detail: 'fine' },
    { name: 'b', status: 'optional', detail: 'absent', fix: 'install b' },
  ]);
  assert.match(text, /^ok {4}a/m);
  assert.match(text, /^warn {2}b .*absent\n.*fix: install b$/m);
});
