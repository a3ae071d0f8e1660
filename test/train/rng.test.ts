import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochPermutation, Rng } from '../../src/train/rng.js';

test('Rng state round-trips: a restored generator draws the same numbers', () => {
  const a = new Rng(42);
  for (let i = 0; i < 5; i++) a.next();
  const b = new Rng(0);
  b.setState(a.getState());
  for (let i = 0; i < 5; i++) assert.equal(a.next(), b.next());
  assert.ok([...Array(1000)].every(() => { const x = a.int(7); return x >= 0 && x < 7; }));
});

test('epochPermutation is a permutation that depends only on (seed, epoch)', () => {
  const p = epochPermutation(20, 3, 1);
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(epochPermutation(20, 3, 1), p);
  assert.notDeepEqual(epochPermutation(20, 3, 2), p);
  assert.notDeepEqual(epochPermutation(20, 4, 1), p);
});
