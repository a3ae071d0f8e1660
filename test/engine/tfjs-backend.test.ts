import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { describeTfjsBackend, initTfjs, wasmBinaryDir } from '../../src/engine/tfjs-backend.js';

void test('initTfjs starts the wasm backend from node_modules, idempotently and concurrently', async () => {
  assert.ok(existsSync(path.join(wasmBinaryDir(), 'tfjs-backend-wasm-simd.wasm')));
  await Promise.all([initTfjs(), initTfjs('wasm'), initTfjs()]);
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(describeTfjsBackend().backend, 'wasm');
  assert.deepEqual(Array.from(tf.add(tf.tensor1d([1, 2]), 1).dataSync()), [2, 3]);
  await initTfjs('cpu');
  assert.equal(tf.getBackend(), 'cpu');
  await initTfjs('wasm');
  assert.equal(tf.getBackend(), 'wasm');
});
