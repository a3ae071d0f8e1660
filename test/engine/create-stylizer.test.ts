import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BackendUnavailableError, ModelError, UsageError } from '../../src/errors.js';
import { createStylizer } from '../../src/engine/create-stylizer.js';
import { saveModelPackage } from '../../src/model/model-package.js';
import { initParams } from '../../src/model/params.js';
import { getArchitecture } from '../../src/model/spec.js';

void test('createStylizer loads a package folder and defaults to ONNX Runtime on the cpu', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'japananime-cs-'));
  try {
    const spec = getArchitecture('fast');
    const dir = path.join(root, 'm');
    await saveModelPackage(dir, { spec, params: initParams(spec, 1) });
    const stylizer = await createStylizer({ model: dir, threads: 1 });
    try {
      assert.match(stylizer.description, /^onnx\/cpu fast/);
      const [out] = await stylizer.run([{ data: new Uint8Array(5 * 3 * 3).fill(9), width: 5, height: 3, pts: 1.5, index: 42 }]);
      assert.deepEqual([out?.width, out?.height, out?.pts, out?.index, out?.data.length], [5, 3, 1.5, 42, 45]);
    } finally {
      await stylizer.close();
    }
    const viaTfjs = await createStylizer({ model: dir, engine: 'tfjs' });
    assert.match(viaTfjs.description, /^tfjs\/wasm fast/);
    await viaTfjs.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

void test('createStylizer reports bad options and missing models as typed errors', async () => {
  await assert.rejects(createStylizer({ model: '/nonexistent/model/dir' }), ModelError);
  await assert.rejects(createStylizer({ engine: 'torch' as 'onnx' }), UsageError);
  await assert.rejects(createStylizer({ device: 'tpu' as 'cpu' }), UsageError);
  await assert.rejects(createStylizer({ threads: -1 }), UsageError);
  await assert.rejects(createStylizer({ engine: 'tfjs', device: 'cuda' }), BackendUnavailableError);
});
