import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectTruncation } from '../../src/pipeline/detect-truncation.js';

void test('all frames and a clean decoder: not truncated', () => {
  assert.deepEqual(detectTruncation({ frameCount: 10, frameCountExact: true }, { frames: 10, errors: '' }), { truncated: false });
});

void test('fewer frames than the header: truncated, with the numbers', () => {
  const v = detectTruncation({ frameCount: 20, frameCountExact: true }, { frames: 11, errors: '' });
  assert.equal(v.truncated, true);
  assert.match(v.reason!, /only 11 of 20 frames/);
});

void test('an exact count allows two frames of edit-list slack', () => {
  assert.equal(detectTruncation({ frameCount: 20, frameCountExact: true }, { frames: 18, errors: '' }).truncated, false);
  assert.equal(detectTruncation({ frameCount: 20, frameCountExact: true }, { frames: 17, errors: '' }).truncated, true);
});

void test('an estimated count allows a little slack', () => {
  assert.equal(detectTruncation({ frameCount: 100, frameCountExact: false }, { frames: 97, errors: '' }).truncated, false);
  assert.equal(detectTruncation({ frameCount: 100, frameCountExact: false }, { frames: 60, errors: '' }).truncated, true);
});

void test('demuxer complaints and zero frames count as truncation', () => {
  const v = detectTruncation({ frameCount: 20, frameCountExact: false }, { frames: 20, errors: '[matroska,webm @ 0x55] File ended prematurely' });
  assert.equal(v.truncated, true);
  assert.equal(v.reason, 'the decoder reported: File ended prematurely');
  assert.match(detectTruncation({ frameCount: 0, frameCountExact: false }, { frames: 0, errors: '' }).reason!, /no frame/);
});
