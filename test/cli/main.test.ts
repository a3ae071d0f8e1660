import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { reportError } from '../../src/cli/main.js';
import { InputError, JapananimeError } from '../../src/errors.js';

const bin = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', bin, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

void test('an unknown command is a one-line user error with exit code 1', () => {
  const r = cli('frobnicate');
  assert.equal(r.status, 1);
  assert.equal(r.stderr, "japananime: unknown command 'frobnicate' (run 'japananime --help' for the list)\n");
});

void test('--help lists the commands and exits 0', () => {
  const r = cli('--help');
  assert.equal(r.status, 0);
  for (const name of ['stylize', 'serve', 'dataset', 'train', 'export', 'bench', 'eval', 'doctor']) assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'));
});

void test('reportError: typed errors print one line, others are internal (exit 2)', (t) => {
  const writes: string[] = [];
  t.mock.method(process.stderr, 'write', (s: string) => { writes.push(s); return true; });
  assert.equal(reportError(new InputError('E_INPUT_MISSING', 'no such file: a.mp4')), 1);
  assert.equal(reportError(new JapananimeError('E_ABORTED', 'cancelled')), 130);
  assert.equal(reportError(new Error('boom')), 2);
  t.mock.restoreAll();
  assert.equal(writes[0], 'japananime: no such file: a.mp4\n');
  assert.match(writes[2]!, /^japananime: internal error: Error: boom/);
});
