import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AbortedError } from '../../src/errors.js';
import { decodeFrames } from '../../src/media/decode-frames.js';
import { probeMedia } from '../../src/media/probe.js';
import { makeClip, tempDir } from './make-clip.js';
import { waitFor } from '../wait-for.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
before(async () => {
  ({ dir, cleanup } = await tempDir());
});
after(() => cleanup());

function alive(pid: number): boolean {
  try {
    return existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

void test('every frame arrives, exact size, pts from the rate, summary clean', async () => {
  const file = await makeClip(path.join(dir, 'a.mp4'), { width: 64, height: 48, frames: 10 });
  const info = await probeMedia(file);
  const decoder = decodeFrames(file, { width: info.width, height: info.height, frameRate: info.frameRate });
  const frames = [];
  for await (const f of decoder) frames.push(f);
  assert.equal(frames.length, 10);
  for (const [i, f] of frames.entries()) {
    assert.equal(f.index, i);
    assert.equal(f.data.length, 64 * 48 * 3);
    assert.ok(Math.abs(f.pts - i / 10) < 1e-9);
  }
  // testsrc2 moves: consecutive frames differ.
  assert.notDeepEqual(frames[0]!.data, frames[5]!.data);
  assert.deepEqual(decoder.summary, { frames: 10, errors: '' });
});

void test('rotated input arrives upright at the display size; scale gives the asked size', async () => {
  const file = await makeClip(path.join(dir, 'rot.mp4'), { width: 64, height: 48, rotate: 90, frames: 3, audio: null });
  const info = await probeMedia(file);
  let n = 0;
  for await (const f of decodeFrames(file, { width: info.width, height: info.height, frameRate: info.frameRate })) {
    assert.equal(f.width, 48);
    assert.equal(f.height, 64);
    assert.equal(f.data.length, 48 * 64 * 3);
    n++;
  }
  assert.equal(n, 3);
  let m = 0;
  for await (const f of decodeFrames(file, { width: 24, height: 32, scale: true, frameRate: info.frameRate })) {
    assert.equal(f.data.length, 24 * 32 * 3);
    m++;
  }
  assert.equal(m, 3);
});

void test('a slow consumer pauses ffmpeg through the pipe; breaking out stops it', async () => {
  // 300 frames × 9 KB = 2.7 MB, far more than the pipe and stream buffers hold.
  const file = await makeClip(path.join(dir, 'long.mp4'), { width: 64, height: 48, frames: 300, audio: null });
  const info = await probeMedia(file);
  const decoder = decodeFrames(file, { width: info.width, height: info.height, frameRate: info.frameRate });
  const it = decoder[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.done, false);
  // Wait until ffmpeg has stopped writing (its output counter holds still between two looks) or
  // has exited: unheld, it would decode all 300 frames and finish.
  const pid = findDecoderPid(file);
  assert.ok(pid !== undefined);
  let last = -1;
  await waitFor('ffmpeg to stop writing', () => {
    if (!alive(pid)) return true;
    const now = Number(/wchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
    const still = now === last;
    last = now;
    return still;
  }, 15_000, 250);
  assert.ok(alive(pid), 'ffmpeg is still running: blocked on the full pipe, not finished');
  // Its state is sleeping (blocked in write), and it has not written the whole video.
  const wchar = Number(/wchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
  assert.ok(wchar < 300 * 64 * 48 * 3 / 2, `ffmpeg wrote ${wchar} bytes, expected it to be held back`);
  await it.return!();
  assert.ok(!alive(pid), 'ffmpeg stopped when the consumer left');
});

void test('an abort stops decoding with AbortedError and no process left', async () => {
  const file = path.join(dir, 'long.mp4');
  const controller = new AbortController();
  const info = await probeMedia(file);
  let n = 0;
  await assert.rejects(async () => {
    for await (const _ of decodeFrames(file, { width: info.width, height: info.height, frameRate: info.frameRate, signal: controller.signal })) {
      if (++n === 5) controller.abort();
    }
  }, AbortedError);
  assert.equal(findDecoderPid(file), undefined);
});

function findDecoderPid(file: string): number | undefined {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
  for (const pid of out.trim().split('\n').filter(Boolean).map(Number)) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(file) && alive(pid)) return pid;
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}
