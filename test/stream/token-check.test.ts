import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkToken, createToken, tokenFromUrl } from '../../src/stream/token-check.js';

void test('createToken makes distinct 32-character URL-safe tokens', () => {
  const a = createToken();
  const b = createToken();
  assert.equal(a.length, 32);
  assert.match(a, /^[A-Za-z0-9_-]+$/);
  assert.notEqual(a, b);
});

void test('checkToken accepts only the exact token', () => {
  assert.equal(checkToken('secret-token-1', 'secret-token-1'), true);
  assert.equal(checkToken('secret-token-1', 'secret-token-2'), false);
  assert.equal(checkToken('secret-token-1', 'secret-token-1x'), false, 'longer');
  assert.equal(checkToken('secret-token-1', 'secret'), false, 'prefix');
  assert.equal(checkToken('secret-token-1', ''), false);
  assert.equal(checkToken('secret-token-1', null), false);
  assert.equal(checkToken('secret-token-1', undefined), false);
  assert.equal(checkToken('', ''), false, 'an empty expected token never matches');
});

void test('tokenFromUrl reads the token query parameter', () => {
  assert.equal(tokenFromUrl('/ws?token=abc%2Bdef'), 'abc+def');
  assert.equal(tokenFromUrl('/ws?x=1'), null);
  assert.equal(tokenFromUrl(undefined), null);
});
