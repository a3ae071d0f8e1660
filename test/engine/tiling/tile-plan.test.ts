import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axisWeights, planAxis, planTiles, smoothstep } from '../../../src/engine/tiling/tile-plan.js';

test('a frame that fits is one tile of its own size', () => {
  const plan = planTiles(640, 480, { tile: 1024 });
  assert.equal(plan.tiles.length, 1);
  assert.deepEqual(plan.tiles[0], { x: 0, y: 0, width: 640, height: 480, col: 0, row: 0 });
  assert.deepEqual(Array.from(axisWeights(plan.cols, 0)).every((w) => w === 1), true);
});

test('3000x2000 at tile 1024 / overlap 128: 4x3 equal tiles covering the frame', () => {
  const plan = planTiles(3000, 2000, { tile: 1024, overlap: 128 });
  assert.deepEqual(plan.cols.starts, [0, 659, 1317, 1976]);
  assert.deepEqual(plan.rows.starts, [0, 488, 976]);
  assert.equal(plan.tiles.length, 12);
  for (const t of plan.tiles) assert.equal(t.width * t.height, 1024 * 1024);
  const last = plan.tiles.at(-1)!;
  assert.equal(last.x + last.width, 3000);
  assert.equal(last.y + last.height, 2000);
});

test('every axis plan: tiles cover, overlaps ≥ overlap, ramps inside both tiles, weights sum to 1', () => {
  for (const tile of [16, 64, 100, 1024]) {
    for (const overlap of [0, Math.floor(tile / 8), Math.floor(tile / 3)]) {
      for (let length = 1; length <= tile * 7; length += Math.max(1, Math.floor(tile / 13))) {
        const a = planAxis(length, tile, overlap, overlap);
        assert.equal(a.starts[0], 0);
        assert.equal(a.starts.at(-1)! + a.tileLength, length, `last tile ends at the edge (${length}/${tile}/${overlap})`);
        assert.ok(a.tileLength <= tile);
        const sum = new Float64Array(length);
        a.starts.forEach((s, i) => {
          if (i > 0) assert.ok(a.starts[i - 1]! + a.tileLength - s >= overlap, 'overlap');
          const r = a.ramps[i];
          if (r) {
            assert.ok(r.from >= a.starts[i + 1]! && r.to <= s + a.tileLength, `ramp ${i} inside both tiles`);
            const nextRamp = a.ramps[i + 1];
            if (nextRamp) assert.ok(r.to <= nextRamp.from, 'ramps do not overlap');
          }
          axisWeights(a, i).forEach((w, k) => {
            sum[s + k] = sum[s + k]! + w;
          });
        });
        for (let x = 0; x < length; x += 1) assert.ok(Math.abs(sum[x]! - 1) < 1e-6, `weights sum to 1 at ${x} (${length}/${tile}/${overlap}): ${sum[x]}`);
      }
    }
  }
});

test('weights are 0 at a tile edge that meets a neighbour and rise smoothly across the ramp', () => {
  const a = planAxis(2000, 1024, 128, 128);
  const w0 = axisWeights(a, 0);
  const w1 = axisWeights(a, 1);
  assert.equal(w0[0], 1, 'the frame edge is not a hand-over');
  assert.equal(w0[1023], 0);
  assert.equal(w1[0], 0);
  const r = a.ramps[0]!;
  // Monotone and with small steps (a ramp of 128 px moves by at most 1.5/128 a pixel).
  for (let x = r.from - a.starts[1]!; x < r.to - a.starts[1]!; x += 1) {
    assert.ok(w1[x + 1]! >= w1[x]!);
    assert.ok(w1[x + 1]! - w1[x]! <= 1.5 / 128 + 1e-6);
  }
  assert.equal(smoothstep(0), 0);
  assert.equal(smoothstep(0.5), 0.5);
  assert.equal(smoothstep(1), 1);
});

test('bad options are RangeErrors', () => {
  assert.throws(() => planTiles(100, 100, { tile: 8 }), RangeError);
  assert.throws(() => planTiles(100, 100, { tile: 64, overlap: 40 }), RangeError);
  assert.throws(() => planTiles(100, 100, { tile: 64, overlap: 8, ramp: 9 }), RangeError);
  assert.throws(() => planTiles(0, 100, { tile: 64 }), RangeError);
});
