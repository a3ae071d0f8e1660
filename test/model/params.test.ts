import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkParams, cloneParams, deserializeParams, initParams, paramCount, serializeParams } from '../../src/model/params.js';
import { countParameters, describeParameters, getArchitecture } from '../../src/model/spec.js';

const fast = getArchitecture('fast');

void test('initParams is deterministic in the seed and follows the spec order and shapes', () => {
  const a = initParams(fast, 7);
  const b = initParams(fast, 7);
  const c = initParams(fast, 8);
  assert.deepEqual([...a.keys()], describeParameters(fast).map((d) => d.name));
  assert.equal(paramCount(a), countParameters(fast));
  const k = 'res1/conv1/kernel';
  assert.deepEqual(a.get(k)?.data, b.get(k)?.data);
  assert.notDeepEqual(a.get(k)?.data, c.get(k)?.data);
  assert.equal(checkParams(fast, a), undefined);
});

void test('He-normal kernels have std sqrt(2/fanIn); biases 0; norm scales 1', () => {
  const p = initParams(getArchitecture('patchgan'), 3);
  const kernel = p.get('conv6/kernel');
  assert.ok(kernel);
  const n = kernel.data.length;
  const mean = kernel.data.reduce((s, v) => s + v, 0) / n;
  const std = Math.sqrt(kernel.data.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  const expected = Math.sqrt(2 / (3 * 3 * 256));
  assert.ok(Math.abs(mean) < 0.01 * expected * 10, `mean ${mean}`);
  assert.ok(Math.abs(std / expected - 1) < 0.01, `std ${std} vs ${expected}`);
  assert.ok(p.get('conv6/bias')?.data.every((v) => v === 0));
  assert.ok(p.get('norm6/scale')?.data.every((v) => v === 1));
  assert.ok(p.get('norm6/bias')?.data.every((v) => v === 0));
});

void test('serialize → deserialize is bit-exact and keeps the order', () => {
  const p = initParams(fast, 1);
  const { manifest, data } = serializeParams(p, 'fast');
  assert.equal(manifest.architecture, 'fast');
  assert.equal(data.byteLength, paramCount(p) * 4);
  const json = JSON.parse(JSON.stringify(manifest)) as unknown;
  const q = deserializeParams(json, data);
  assert.deepEqual([...q.keys()], [...p.keys()]);
  for (const [name, v] of p) {
    assert.deepEqual(q.get(name)?.shape, v.shape);
    assert.deepEqual(q.get(name)?.data, v.data);
  }
});

void test('deserializeParams rejects foreign manifests, short blobs and bad shapes', () => {
  const { manifest, data } = serializeParams(initParams(fast, 1));
  assert.throws(() => deserializeParams({ weightsManifest: [] }, data), /not a japananime-params manifest/);
  assert.throws(() => deserializeParams(manifest, data.subarray(0, data.length - 4)), /manifest says/);
  const bad = structuredClone(manifest);
  bad.weights[0]!.shape = [2, 2];
  assert.throws(() => deserializeParams(bad, data), /does not hold/);
  const outside = structuredClone(manifest);
  delete (outside as { byteLength?: number }).byteLength;
  outside.weights[0]!.offset = data.byteLength;
  assert.throws(() => deserializeParams(outside, data), /outside the weights blob/);
});

void test('checkParams names missing, misshapen and extra parameters', () => {
  const p = cloneParams(initParams(fast, 1));
  p.delete('conv_out/bias');
  assert.match(checkParams(fast, p) ?? '', /missing parameter 'conv_out\/bias'/);
  const q = cloneParams(initParams(fast, 1));
  q.set('conv_out/bias', { shape: [4], data: new Float32Array(4) });
  assert.match(checkParams(fast, q) ?? '', /shape \[4\], fast needs \[3\]/);
  const r = cloneParams(initParams(fast, 1));
  r.set('extra', { shape: [1], data: new Float32Array(1) });
  assert.match(checkParams(fast, r) ?? '', /unexpected parameter 'extra'/);
});

void test('cloneParams copies the arrays', () => {
  const p = initParams(fast, 1);
  const q = cloneParams(p);
  q.get('conv_in/bias')!.data[0] = 42;
  assert.equal(p.get('conv_in/bias')!.data[0], 0);
});

void test('the blob is little-endian float32 in manifest order, 4-byte aligned', () => {
  const p = new Map([
    ['a', { shape: [1], data: Float32Array.of(1) }],
    ['b', { shape: [2], data: Float32Array.of(-2, 0.5) }],
  ]);
  const { manifest, data } = serializeParams(p);
  assert.deepEqual(manifest.weights.map((w) => [w.name, w.offset, w.length]), [['a', 0, 1], ['b', 4, 2]]);
  assert.deepEqual(Array.from(data), [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0, 0x3f]);
});
