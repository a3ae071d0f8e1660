import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeFrame } from '../../../src/train/dataset/frame-quality.js';

const gray = (f: (i: number) => number, n = 400) => ({ data: Float32Array.from({ length: n }, (_, i) => f(i)), width: 20, height: n / 20 });

void test('black, near-uniform and textured frames', () => {
  assert.equal(judgeFrame(gray(() => 16)).kind, 'black');
  assert.equal(judgeFrame(gray((i) => 16 + (i % 3))).kind, 'black', 'video black with noise');
  assert.equal(judgeFrame(gray(() => 130)).kind, 'uniform');
  assert.equal(judgeFrame(gray((i) => 130 + (i % 5))).kind, 'uniform', 'flat colour with slight noise');
  assert.equal(judgeFrame(gray((i) => (i % 20) * 12)).kind, 'ok');
  // A dark but detailed night shot is not black.
  assert.equal(judgeFrame(gray((i) => (i % 2 ? 2 : 60))).kind, 'ok');
});
