import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptySlot, isInOrder, offerLatest, shouldSkipViewer, takeLatest } from '../../src/stream/drop-policy.js';

void test('the newest frame replaces a waiting one and the replaced one counts as dropped', () => {
  let slot = emptySlot<string>();
  let r = offerLatest(slot, 'a', 1);
  assert.equal(r.dropped, 0);
  r = offerLatest(r.slot, 'b', 2);
  assert.equal(r.dropped, 1);
  assert.equal(r.slot.pending, 'b');
  const t = takeLatest(r.slot);
  assert.equal(t.item, 'b');
  slot = t.slot;
  assert.equal(slot.pending, undefined);
  assert.equal(takeLatest(slot).item, undefined);
});

void test('an older frame than one already seen is dropped, keeping order', () => {
  const r1 = offerLatest(emptySlot<string>(), 'new', 5);
  const taken = takeLatest(r1.slot).slot;
  const r2 = offerLatest(taken, 'old', 4);
  assert.equal(r2.dropped, 1);
  assert.equal(r2.slot.pending, undefined);
  const r3 = offerLatest(taken, 'same', 5);
  assert.equal(r3.dropped, 1);
});

void test('slow viewers are skipped past the threshold; frames go out in order', () => {
  assert.equal(shouldSkipViewer(0, 1024), false);
  assert.equal(shouldSkipViewer(1024, 1024), false);
  assert.equal(shouldSkipViewer(1025, 1024), true);
  assert.equal(isInOrder(3, 2), true);
  assert.equal(isInOrder(2, 2), false);
  assert.equal(isInOrder(0, -1), true);
});
