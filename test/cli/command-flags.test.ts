/** src/cli/command-flags.ts: the flags quantize, export and eval share, and their one set of messages. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inputAndOut, parseCommandArgs, wholeNumberFlag } from '../../src/cli/command-flags.js';
import { UsageError } from '../../src/errors.js';

void test('parseCommandArgs: the command\'s flags plus --json (default false), strict, positionals allowed', () => {
  const { values, positionals } = parseCommandArgs(['a', '--frames', '3', 'b', '--json'], { frames: { type: 'string' } });
  assert.deepEqual(positionals, ['a', 'b']);
  assert.equal(values.frames, '3');
  assert.equal(values.json, true);
  assert.equal(parseCommandArgs([], {}).values.json, false);
  assert.throws(() => parseCommandArgs(['--fast'], {}), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
});

void test('inputAndOut: one input and --out, else a usage line', () => {
  const shape = { command: 'quantize', placeholder: 'model-dir', what: 'the model package' };
  assert.deepEqual(inputAndOut(shape, ['models/default'], 'out'), { input: 'models/default', out: 'out' });
  const usage = (argv: string[], out: string | undefined, pattern: RegExp): void => assert.throws(() => inputAndOut(shape, argv, out), (e: unknown) => e instanceof UsageError && pattern.test(e.message));
  usage([], 'out', /^quantize needs the model package: japananime quantize <model-dir> --out <model-dir>$/);
  usage(['a', 'b'], 'out', /^unexpected argument 'b'/);
  usage(['a'], undefined, /^quantize needs --out <model-dir>/);
});

void test('wholeNumberFlag: absent is undefined; anything but a whole number ≥ min names the flag', () => {
  assert.equal(wholeNumberFlag('frames', undefined, 1), undefined);
  assert.equal(wholeNumberFlag('frames', '64', 1), 64);
  assert.equal(wholeNumberFlag('keep-thin', '0', 0), 0);
  for (const bad of ['0', '-1', '2.5', 'ten', '', '1e3']) assert.throws(() => wholeNumberFlag('frames', bad, 1), { message: `--frames must be a whole number ≥ 1, got '${bad}'` });
});
