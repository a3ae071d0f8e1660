import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median } from '../src/sample-stats.js';

void test('median of odd, even and empty lists, without reordering its input', () => {
  const xs = [3, 1, 2];
  assert.equal(median(xs), 2);
  assert.deepEqual(xs, [3, 1, 2]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), null);
});
