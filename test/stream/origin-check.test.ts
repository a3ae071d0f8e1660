import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOriginAllowed, normalizeOrigin } from '../../src/stream/origin-check.js';

void test('same origin is allowed, another host or port is not', () => {
  assert.equal(isOriginAllowed('http://127.0.0.1:8080', '127.0.0.1:8080'), true);
  assert.equal(isOriginAllowed('http://LOCALHOST:8080', 'localhost:8080'), true);
  assert.equal(isOriginAllowed('http://127.0.0.1:9999', '127.0.0.1:8080'), false);
  assert.equal(isOriginAllowed('https://evil.example', '127.0.0.1:8080'), false);
});

void test('the allow list admits exact origins only', () => {
  const allow = ['http://localhost:5173'];
  assert.equal(isOriginAllowed('http://localhost:5173', '127.0.0.1:8080', allow), true);
  assert.equal(isOriginAllowed('http://localhost:5174', '127.0.0.1:8080', allow), false);
  assert.equal(isOriginAllowed('http://localhost:5173.evil.example', '127.0.0.1:8080', allow), false);
});

void test('non-URL origins are refused; a missing Origin (non-browser client) is left to the token', () => {
  assert.equal(isOriginAllowed('null', '127.0.0.1:8080'), false);
  assert.equal(isOriginAllowed('file://', '127.0.0.1:8080'), false);
  assert.equal(isOriginAllowed(undefined, '127.0.0.1:8080'), true);
  assert.equal(normalizeOrigin('HTTP://A.example:80'), 'http://a.example');
});
