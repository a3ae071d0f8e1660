import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Frame } from '../../src/frame.js';
import { createOnnxStylizer } from '../../src/engine/onnx-stylizer.js';
import { createTfjsStylizer } from '../../src/engine/tfjs-stylizer.js';
import { createModelPackage } from '../../src/model/model-package.js';
import { initParams } from '../../src/model/params.js';
import { getArchitecture } from '../../src/model/spec.js';

const spec = getArchitecture('fast');
const pkg = createModelPackage({ spec, params: initParams(spec, 4) });
const frames: Frame[] = [0, 1].map((index) => ({
  data: Uint8Array.from({ length: 30 * 18 * 3 }, (_, i) => (i * (7 + index) + index * 11) % 256),
  width: 30,
  height: 18,
  pts: index * 0.5,
  index: 100 + index,
}));

void test('the tfjs engine keeps size/pts/index and matches the ONNX engine within 1 grey level', async () => {
  const tfjs = await createTfjsStylizer(pkg);
  const onnx = await createOnnxStylizer(pkg, { threads: 1 });
  try {
    assert.match(tfjs.description, /^tfjs\/wasm fast/);
    const a = await tfjs.run(frames);
    const b = await onnx.run(frames);
    assert.deepEqual(a.map((f) => [f.width, f.height, f.pts, f.index]), [[30, 18, 0, 100], [30, 18, 0.5, 101]]);
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!.data;
      const y = b[i]!.data;
      let within = 0;
      for (let j = 0; j < x.length; j++) if (Math.abs(x[j]! - y[j]!) <= 1) within++;
      assert.ok(within / x.length >= 0.999, `frame ${i}: ${within}/${x.length} within 1 level`);
    }
  } finally {
    await tfjs.close();
    await tfjs.close();
    await onnx.close();
  }
  await assert.rejects(tfjs.run(frames), /closed/);
});
