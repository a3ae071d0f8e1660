import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { JapananimeError } from '../../src/errors.js';
import { findOnPath, resolveFfmpeg, resolveFfmpegFrom } from '../../src/media/ffmpeg-binary.js';

void test('FFMPEG_PATH and FFPROBE_PATH win', () => {
  const r = resolveFfmpegFrom({ FFMPEG_PATH: '/usr/bin/ffmpeg', FFPROBE_PATH: '/usr/bin/ffprobe', PATH: '' });
  assert.deepEqual(r, { ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', source: 'env' });
});

void test('a bad FFMPEG_PATH is a clear E_FFMPEG_MISSING, not a silent fallback', () => {
  assert.throws(() => resolveFfmpegFrom({ FFMPEG_PATH: '/nope/ffmpeg', PATH: '/usr/bin' }), (err: unknown) => {
    assert.ok(err instanceof JapananimeError);
    assert.equal(err.code, 'E_FFMPEG_MISSING');
    assert.match(err.message, /FFMPEG_PATH=\/nope\/ffmpeg/);
    return true;
  });
});

void test('ffmpeg on PATH is found (ffmpeg-static is not installed here)', () => {
  const r = resolveFfmpegFrom({ PATH: '/nowhere:/usr/bin' });
  assert.equal(r.source, 'path');
  assert.equal(r.ffmpeg, '/usr/bin/ffmpeg');
  assert.equal(r.ffprobe, '/usr/bin/ffprobe');
});

void test('without PATH, @ffmpeg-installer supplies ffmpeg and @ffprobe-installer ffprobe (a fresh machine); FFPROBE_PATH still wins', () => {
  const r = resolveFfmpegFrom({ PATH: '', FFPROBE_PATH: '/usr/bin/ffprobe' });
  assert.equal(r.source, '@ffmpeg-installer');
  assert.match(r.ffmpeg, /@ffmpeg-installer/);
  assert.equal(r.ffprobe, '/usr/bin/ffprobe');
  const bundled = resolveFfmpegFrom({ PATH: '' });
  assert.match(bundled.ffprobe, /@ffprobe-installer/);
  // The bundled binaries really run.
  assert.match(execFileSync(bundled.ffprobe, ['-version'], { encoding: 'utf8' }), /^ffprobe version/);
  assert.match(execFileSync(bundled.ffmpeg, ['-version'], { encoding: 'utf8' }), /^ffmpeg version/);
});

void test('findOnPath skips missing folders and non-executables', () => {
  assert.equal(findOnPath('ffmpeg', '/nope:/etc:/usr/bin'), '/usr/bin/ffmpeg');
  assert.equal(findOnPath('passwd', '/etc'), undefined);
  assert.equal(findOnPath('ffmpeg', ''), undefined);
});

void test('resolveFfmpeg resolves from the process environment', async () => {
  const r = await resolveFfmpeg();
  assert.ok(r.ffmpeg.endsWith('ffmpeg'));
  assert.ok(r.ffprobe.endsWith('ffprobe'));
});
