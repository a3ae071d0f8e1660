import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliMessage, flagFor } from '../../src/cli/option-flags.js';
import { OptionError, UsageError } from '../../src/errors.js';

void test('flagFor: kebab case, with the listed exceptions', () => {
  assert.equal(flagFor('maxSide'), '--max-side');
  assert.equal(flagFor('tile'), '--tile');
  assert.equal(flagFor('broadcastMaxSide'), '--max-side');
  assert.equal(flagFor('maxConnectionsPerAddress'), '--max-per-address');
});

void test('an OptionError names options in the library and flags in the CLI; other errors print as they are', () => {
  const err = new OptionError('{maxSide} must be an integer ≥ 16, got 3; or use {tile}');
  assert.equal(err.message, 'maxSide must be an integer ≥ 16, got 3; or use tile');
  assert.ok(err instanceof UsageError);
  assert.equal(err.code, 'E_USAGE');
  assert.equal(cliMessage(err), '--max-side must be an integer ≥ 16, got 3; or use --tile');
  assert.equal(cliMessage(new UsageError('plain')), 'plain');
});
