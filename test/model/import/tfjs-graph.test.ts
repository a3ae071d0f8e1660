/**
 * The tfjs graph import: a graph model built here (tfjs-graph-model.ts, every op of the list) is
 * translated to ONNX, wrapped and run by ONNX Runtime; tfjs-converter's own loadGraphModel on the
 * same model.json and shard is the reference. An unknown op is a one-line error naming op and node.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createStylizer } from '../../../src/engine/create-stylizer.js';
import { InputError } from '../../../src/errors.js';
import { importModel } from '../../../src/model/import/import-model.js';
import { loadAnyModelPackage } from '../../../src/model/model-package.js';
import { agreement, testImages } from './reference-run.js';
import { animeganLikeGraph, attr } from './tfjs-graph-model.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'japananime-tfjs-graph-'));
  await tf.setBackend('cpu');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

void test('a tfjs graph model imports and equals loadGraphModel on the same files', async () => {
  const graph = animeganLikeGraph();
  const modelJson = await graph.write(path.join(dir, 'animegan_like'));
  const out = path.join(dir, 'pkg');
  await importModel({ source: path.dirname(modelJson), out, license: 'MIT', multiple: 2 });
  const pkg = await loadAnyModelPackage(out);
  assert.equal(pkg.meta.source?.kind, 'tfjs-graph');
  assert.equal(pkg.meta.source?.file, 'model.json');

  const reference = await tf.loadGraphModel(tf.io.fromMemory(graph.artifacts()));
  const stylizer = await createStylizer({ model: pkg, threads: 1 });
  try {
    for (const [h, w] of [[24, 30], [17, 23]] as const) {
      const images = testImages(1, h, w);
      const [frame] = await stylizer.run([{ data: images, width: w, height: h, pts: 0, index: 0 }]);
      // The reference on what the package prepares: [-1,1], edge-padded to even sides, cropped back.
      const [ph, pw] = [Math.ceil(h / 2) * 2, Math.ceil(w / 2) * 2];
      const want = tf.tidy(() => {
        const x = tf.sub(tf.div(tf.tensor4d(Float32Array.from(images), [1, h, w, 3]), 127.5), 1) as tf.Tensor4D;
        const padded = tf.concat([x, tf.slice(x, [0, 0, w - 1, 0], [1, h, 1, 3]).tile([1, 1, pw - w, 1])], 2);
        const full = tf.concat([padded, tf.slice(padded, [0, h - 1, 0, 0], [1, 1, pw, 3]).tile([1, ph - h, 1, 1])], 1);
        const y = reference.execute(full) as tf.Tensor4D;
        return tf.round(tf.clipByValue(tf.mul(tf.add(tf.slice(y, [0, 0, 0, 0], [1, h, w, 3]), 1), 127.5), 0, 255));
      });
      const wantData = Uint8Array.from(await want.data());
      want.dispose();
      assert.ok(new Set(wantData).size > 50, 'the reference output is not flat');
      const { within, maxDiff } = agreement(frame!.data, wantData);
      assert.ok(within >= 0.999, `${h}x${w}: ${(within * 100).toFixed(3)}% within 1 grey level (max diff ${maxDiff})`);
    }
  } finally {
    await stylizer.close();
    reference.dispose();
  }
});

void test('an unknown op is one line naming op and node; nothing is written', async () => {
  const graph = animeganLikeGraph();
  const last = graph.nodes.at(-1)!;
  graph.nodes.splice(graph.nodes.length - 1, 0, { name: 'generator/swirl', op: 'Erf', input: [last.input![0]!], attr: { T: attr.float } });
  last.input = ['generator/swirl'];
  const modelJson = await graph.write(path.join(dir, 'unknown_op'));
  await assert.rejects(importModel({ source: modelJson, out: path.join(dir, 'bad'), license: 'MIT' }), (err: unknown) =>
    err instanceof InputError && err.message === "model.json: node 'generator/swirl' (Erf): this operation is not supported by the tfjs graph import");
  assert.deepEqual((await readdir(dir)).filter((f) => f.includes('bad')), []);
});
