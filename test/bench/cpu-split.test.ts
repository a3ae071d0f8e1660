/** bench/cpu-split.ts: CPU lists, the server/browser split, and pinning through a launcher. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { allowedCpus, parseCpuList, pinnedLauncher, splitCpus } from '../../bench/cpu-split.js';

void test('parseCpuList reads ranges and single CPUs', () => {
  assert.deepEqual(parseCpuList('0-1'), [0, 1]);
  assert.deepEqual(parseCpuList('0-3,6,8-9\n'), [0, 1, 2, 3, 6, 8, 9]);
  assert.deepEqual(parseCpuList('5'), [5]);
  assert.throws(() => parseCpuList('3-1'), /not a CPU list/);
  assert.throws(() => parseCpuList('a'), /not a CPU list/);
});

void test('splitCpus gives the browser one CPU and the server the rest', () => {
  assert.deepEqual(splitCpus([0, 1]), { browser: [0], server: [1] });
  assert.deepEqual(splitCpus([2, 3, 5, 7]), { browser: [2], server: [3, 5, 7] });
  assert.throws(() => splitCpus([0]), /at least 2 CPUs/);
});

void test('pinnedLauncher starts the program on the given CPUs only', { skip: process.platform !== 'linux' && 'needs taskset and /proc' }, async () => {
  const cpu = allowedCpus()[0]!;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'japananime-cpu-split-'));
  try {
    // The launcher runs grep on its own /proc status: the line shows the affinity it ran with.
    const launcher = await pinnedLauncher(dir, '/bin/grep', [cpu]);
    const out = execFileSync(launcher, ['Cpus_allowed_list', '/proc/self/status'], { encoding: 'utf8' });
    assert.deepEqual(parseCpuList(out.split(':')[1]!), [cpu]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
