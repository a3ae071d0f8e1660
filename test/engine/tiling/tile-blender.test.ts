import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cropTile } from '../../../src/engine/tiling/crop-tile.js';
import { TileBlender } from '../../../src/engine/tiling/tile-blender.js';
import { planTiles } from '../../../src/engine/tiling/tile-plan.js';

function noise(w: number, h: number, seed = 1): Uint8Array {
  const d = new Uint8Array(w * h * 3);
  let s = seed;
  for (let i = 0; i < d.length; i += 1) {
    s = (s * 1103515245 + 12345) >>> 0;
    d[i] = s >>> 24;
  }
  return d;
}

test('blending the unchanged tiles gives back the frame exactly', () => {
  for (const [w, h] of [[300, 200], [97, 250], [64, 64], [257, 65]] as const) {
    const frame = noise(w, h);
    const plan = planTiles(w, h, { tile: 64, overlap: 16 });
    const out = new Uint8Array(frame.length);
    const blender = new TileBlender(plan, out);
    const cols = plan.cols.starts.length;
    for (let row = 0; row < plan.rows.starts.length; row += 1) {
      blender.addRow(row, plan.tiles.slice(row * cols, (row + 1) * cols).map((r) => cropTile(frame, w, r)));
    }
    assert.ok(blender.done);
    assert.deepEqual(out, frame, `${w}x${h}`);
  }
});

test('two tiles of different constant colours hand over smoothly across the ramp', () => {
  const plan = planTiles(100, 10, { tile: 60, overlap: 20 });
  assert.equal(plan.tiles.length, 2);
  const out = new Uint8Array(100 * 10 * 3);
  const blender = new TileBlender(plan, out);
  blender.addRow(0, [new Uint8Array(60 * 10 * 3).fill(0), new Uint8Array(60 * 10 * 3).fill(200)]);
  const r = plan.cols.ramps[0]!;
  const row = Array.from({ length: 100 }, (_, x) => out[x * 3]!);
  assert.equal(row[r.from - 1], 0);
  assert.equal(row[r.to], 200);
  let maxStep = 0;
  for (let x = 1; x < 100; x += 1) maxStep = Math.max(maxStep, Math.abs(row[x]! - row[x - 1]!));
  // 200 levels spread over a 20 px smoothstep: at most 1.5 × 200/20 = 15 per pixel, never a jump.
  assert.ok(maxStep <= 16, `largest step ${maxStep}`);
});

test('rows must come in order and with all their tiles', () => {
  const plan = planTiles(100, 100, { tile: 60, overlap: 20 });
  const blender = new TileBlender(plan, new Uint8Array(100 * 100 * 3));
  assert.throws(() => blender.addRow(1, []), RangeError);
  assert.throws(() => blender.addRow(0, [new Uint8Array(60 * 60 * 3)]), RangeError);
});
