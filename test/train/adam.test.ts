import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParamSet } from '../../src/model/params.js';
import { adamStep, createAdamState } from '../../src/train/adam.js';

test('adamStep follows Adam with bias correction (β1 0.5 default)', () => {
  const params: ParamSet = new Map([['w', { shape: [2], data: Float32Array.of(1, -2) }]]);
  const state = createAdamState(params);
  const g = new Map([['w', Float32Array.of(0.5, -0.25)]]);
  adamStep(params, g, state, { lr: 0.1 });
  // Step 1: m̂ = g, v̂ = g², update = lr·g/(|g|+ε) = ±lr.
  assert.ok(Math.abs(params.get('w')!.data[0]! - 0.9) < 1e-6);
  assert.ok(Math.abs(params.get('w')!.data[1]! - -1.9) < 1e-6);
  adamStep(params, new Map([['w', Float32Array.of(0.5, 0.25)]]), state, { lr: 0.1 });
  // Step 2, second weight: m = 0.5·(-0.125)+0.5·0.25 = 0.0625 → m̂ = 0.0625/0.75; v = 0.999·0.0000625... computed in double:
  const b1 = 0.5, b2 = 0.999;
  const m = b1 * ((1 - b1) * -0.25) + (1 - b1) * 0.25;
  const v = b2 * ((1 - b2) * 0.0625) + (1 - b2) * 0.0625;
  const mh = m / (1 - b1 ** 2);
  const vh = v / (1 - b2 ** 2);
  const expected = -1.9 - (0.1 * mh) / (Math.sqrt(vh) + 1e-8);
  assert.ok(Math.abs(params.get('w')!.data[1]! - expected) < 1e-5, `${params.get('w')!.data[1]} vs ${expected}`);
  assert.equal(state.t, 2);
});
