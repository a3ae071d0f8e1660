import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitSize } from '../../src/stream/broadcast-hub.js';

void test('fitSize keeps the aspect, caps the longer side and makes both sides even', () => {
  assert.deepEqual(fitSize(1920, 1080, 360), { width: 360, height: 202 });
  assert.deepEqual(fitSize(1080, 1920, 360), { width: 202, height: 360 });
  assert.deepEqual(fitSize(320, 240, 360), { width: 320, height: 240 }, 'never upscales');
  assert.deepEqual(fitSize(321, 241, 1000), { width: 322, height: 242 });
});
