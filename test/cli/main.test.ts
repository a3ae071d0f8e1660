import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseArgsUsageError, reportError } from '../../src/cli/main.js';
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

void test('an unknown flag names the option and points to the command help, in one line', () => {
  const r = cli('stylize', 'in.mp4', '--fast');
  assert.equal(r.status, 1);
  assert.equal(r.stderr, "japananime: unknown option '--fast' (run 'japananime stylize --help' for the options)\n");
});

void test('parseArgsUsageError: other parser errors keep their first sentence; other errors pass', () => {
  const missing = Object.assign(new TypeError("Option '--crf <value>' argument missing"), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' });
  assert.equal(parseArgsUsageError(missing, 'stylize')?.message, "option '--crf <value>' argument missing (run 'japananime stylize --help' for the options)");
  const positional = Object.assign(new TypeError("Unexpected argument 'a'. This command does not take positional arguments"), { code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' });
  assert.equal(parseArgsUsageError(positional, 'doctor')?.message, "unexpected argument 'a' (run 'japananime doctor --help' for the options)");
  assert.equal(parseArgsUsageError(new Error('boom'), 'stylize'), undefined);
});
