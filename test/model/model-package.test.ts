import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile, mkdir, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ModelError } from '../../src/errors.js';
import { exportOnnx } from '../../src/model/onnx-export.js';
import { cloneParams, initParams } from '../../src/model/params.js';
import { loadModelPackage, resolveModelDir, saveModelPackage } from '../../src/model/model-package.js';
import { getArchitecture } from '../../src/model/spec.js';
import { DEFAULT_MODEL_DIR, MODELS_DIR } from '../../src/project-paths.js';

const spec = getArchitecture('fast');
const params = initParams(spec, 5);
let root: string;
let good: string;

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'japananime-pkg-'));
  good = path.join(root, 'good');
  await saveModelPackage(good, { spec, params, meta: { training: { kind: 'random', seed: 5 }, license: 'CC0-1.0', description: 'test' } });
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A copy of the good package to break. */
async function copyOfGood(name: string): Promise<string> {
  const dir = path.join(root, name);
  await cp(good, dir, { recursive: true });
  return dir;
}

async function rejectsWith(dir: string, pattern: RegExp): Promise<void> {
  await assert.rejects(loadModelPackage(dir), (err: unknown) => {
    assert.ok(err instanceof ModelError, `expected a ModelError, got ${String(err)}`);
    assert.equal(err.code, 'E_MODEL_INVALID');
    assert.match(err.message, pattern);
    return true;
  });
}

void test('save then load gives back the same weights, meta and ONNX', async () => {
  assert.deepEqual((await readdir(good)).sort(), ['meta.json', 'model.onnx', 'tfjs']);
  assert.deepEqual((await readdir(path.join(good, 'tfjs'))).sort(), ['manifest.json', 'weights.bin']);
  const pkg = await loadModelPackage(good);
  assert.equal(pkg.dir, good);
  assert.equal(pkg.spec.name, 'fast');
  assert.equal(pkg.meta.architecture, 'fast');
  assert.equal(pkg.meta.parameters, 1_040_966);
  assert.ok(Math.abs(pkg.meta.gmac256 - 5.93) < 0.01);
  assert.equal(pkg.meta.license, 'CC0-1.0');
  assert.deepEqual(pkg.meta.training, { kind: 'random', seed: 5 });
  assert.deepEqual(pkg.meta.input.shape, ['N', 'H', 'W', 3]);
  assert.equal(pkg.meta.input.dtype, 'uint8');
  assert.deepEqual([...pkg.params.keys()], [...params.keys()]);
  for (const [name, p] of params) assert.deepEqual(pkg.params.get(name)?.data, p.data, name);
  // Same bytes as a fresh export (protobufjs hands back a Buffer, hence the compare).
  assert.ok(Buffer.from(pkg.onnx).equals(Buffer.from(exportOnnx(spec, params, { metadata: { format: 'japananime-model' } }))));
});

void test('model names resolve under models/, paths as paths, nothing to the default package', () => {
  assert.equal(resolveModelDir(), DEFAULT_MODEL_DIR);
  assert.equal(resolveModelDir('shinkai-test-name'), path.join(MODELS_DIR, 'shinkai-test-name'));
  assert.equal(resolveModelDir('./a/b'), path.resolve('a/b'));
  assert.equal(resolveModelDir('/x/y'), '/x/y');
});

void test('a missing folder, or a file instead of a folder, is named', async () => {
  await rejectsWith(path.join(root, 'nope'), /model package not found: .*nope/);
  await assert.rejects(loadModelPackage('no-such-model-name-xyz'), /model package not found: .*models\/no-such-model-name-xyz/);
  const file = path.join(root, 'file');
  await writeFile(file, 'x');
  await rejectsWith(file, /is not a folder/);
});

void test('missing files are named', async () => {
  for (const rel of ['meta.json', 'model.onnx', 'tfjs/manifest.json', 'tfjs/weights.bin']) {
    const dir = await copyOfGood(`missing-${rel.replace('/', '-')}`);
    await rm(path.join(dir, rel));
    await rejectsWith(dir, new RegExp(`incomplete: ${rel.replace('.', '\\.')} is missing`));
  }
});

void test('bad JSON, a foreign meta.json and an unknown or non-generator architecture are named', async () => {
  const bad = await copyOfGood('bad-json');
  await writeFile(path.join(bad, 'meta.json'), '{"format": "japananime-model", ');
  await rejectsWith(bad, /meta\.json is not valid JSON/);

  const foreign = await copyOfGood('foreign');
  await writeFile(path.join(foreign, 'meta.json'), JSON.stringify({ format: 'layers-model', modelTopology: {} }));
  await rejectsWith(foreign, /is not a japananime model package \(meta\.json format is "layers-model"/);

  const array = await copyOfGood('array');
  await writeFile(path.join(array, 'meta.json'), '[1,2]');
  await rejectsWith(array, /meta\.json is not a JSON object/);

  for (const arch of ['animeganv3', 'patchgan']) {
    const dir = await copyOfGood(`arch-${arch}`);
    const meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
    meta['architecture'] = arch;
    await writeFile(path.join(dir, 'meta.json'), JSON.stringify(meta));
    await rejectsWith(dir, new RegExp(`unknown architecture "${arch}"`));
  }

  const count = await copyOfGood('count');
  const meta = JSON.parse(await readFile(path.join(count, 'meta.json'), 'utf8')) as Record<string, unknown>;
  meta['parameters'] = 123;
  await writeFile(path.join(count, 'meta.json'), JSON.stringify(meta));
  await rejectsWith(count, /meta\.json says 123 parameters, architecture fast has 1040966/);

  const newer = await copyOfGood('newer');
  const m2 = JSON.parse(await readFile(path.join(newer, 'meta.json'), 'utf8')) as Record<string, unknown>;
  m2['formatVersion'] = 99;
  await writeFile(path.join(newer, 'meta.json'), JSON.stringify(m2));
  await rejectsWith(newer, /format version 99/);
});

void test('a corrupt or mismatched model.onnx is named', async () => {
  const truncated = await copyOfGood('onnx-truncated');
  await truncate(path.join(truncated, 'model.onnx'), 1000);
  await rejectsWith(truncated, /model\.onnx is corrupt/);

  const garbage = await copyOfGood('onnx-garbage');
  await writeFile(path.join(garbage, 'model.onnx'), Buffer.from('this is not an onnx file, just text\n'.repeat(20)));
  await rejectsWith(garbage, /model\.onnx (is corrupt|does not take and return uint8)/);

  const other = await copyOfGood('onnx-other');
  const cartoongan = getArchitecture('cartoongan');
  await writeFile(path.join(other, 'model.onnx'), exportOnnx(cartoongan, initParams(cartoongan, 1)));
  await rejectsWith(other, /model\.onnx is a cartoongan network but meta\.json says fast/);
});

void test('corrupt or foreign tfjs weights are named', async () => {
  const short = await copyOfGood('weights-short');
  await truncate(path.join(short, 'tfjs', 'weights.bin'), 1000);
  await rejectsWith(short, /tfjs weights are corrupt/);

  const wrong = await copyOfGood('weights-wrong');
  const manifestPath = path.join(wrong, 'tfjs', 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { weights: { name: string }[] };
  manifest.weights[0]!.name = 'something/else';
  await writeFile(manifestPath, JSON.stringify(manifest));
  await rejectsWith(wrong, /tfjs weights do not fit architecture fast: missing parameter 'palette\/conv1\/kernel'/);
});

void test('saving over a package replaces it completely and leaves no temp folder', async () => {
  const parent = path.join(root, 'overwrite');
  await mkdir(parent);
  const dir = path.join(parent, 'pkg');
  await saveModelPackage(dir, { spec, params, meta: { description: 'first' } });
  await saveModelPackage(dir, { spec, params: initParams(spec, 6), meta: { description: 'second' } });
  assert.deepEqual(await readdir(parent), ['pkg']);
  const pkg = await loadModelPackage(dir);
  assert.equal(pkg.meta.description, 'second');
  assert.deepEqual(pkg.params.get('conv_in/kernel')?.data, initParams(spec, 6).get('conv_in/kernel')?.data);
});

void test('saving over a package keeps the documents beside it (licences, attribution)', async () => {
  const dir = path.join(root, 'with-docs');
  await saveModelPackage(dir, { spec, params, meta: { description: 'first' } });
  await writeFile(path.join(dir, 'DATA-ATTRIBUTION.md'), 'photo by someone, CC-BY-4.0\n');
  await mkdir(path.join(dir, 'LICENSES'));
  await writeFile(path.join(dir, 'LICENSES', 'CC0-1.0.txt'), 'cc0\n');
  await saveModelPackage(dir, { spec, params: initParams(spec, 8), meta: { description: 'second' } });
  assert.deepEqual((await readdir(dir)).sort(), ['DATA-ATTRIBUTION.md', 'LICENSES', 'meta.json', 'model.onnx', 'tfjs']);
  assert.equal(await readFile(path.join(dir, 'DATA-ATTRIBUTION.md'), 'utf8'), 'photo by someone, CC-BY-4.0\n');
  assert.equal(await readFile(path.join(dir, 'LICENSES', 'CC0-1.0.txt'), 'utf8'), 'cc0\n');
  assert.equal((await loadModelPackage(dir)).meta.description, 'second');
});

void test('a failed save leaves the old package intact and removes its temp folder', async () => {
  const parent = path.join(root, 'failing');
  await mkdir(parent);
  const dir = path.join(parent, 'pkg');
  await saveModelPackage(dir, { spec, params, meta: { description: 'old' } });
  const before = await readFile(path.join(dir, 'model.onnx'));
  const broken = cloneParams(params);
  broken.set('res1/conv1/kernel', { shape: [3, 3, 128, 64], data: new Float32Array(3 * 3 * 128 * 64) });
  await assert.rejects(saveModelPackage(dir, { spec, params: broken }), (err: unknown) => err instanceof ModelError && /res1\/conv1\/kernel/.test(err.message));
  assert.deepEqual(await readdir(parent), ['pkg']);
  const pkg = await loadModelPackage(dir);
  assert.equal(pkg.meta.description, 'old');
  assert.deepEqual(await readFile(path.join(dir, 'model.onnx')), before);
  // A discriminator is not a model package.
  const d = getArchitecture('patchgan');
  await assert.rejects(saveModelPackage(path.join(parent, 'disc'), { spec: d, params: initParams(d, 1) }), /only generators make a model package/);
  assert.deepEqual(await readdir(parent), ['pkg']);
});

void test('resolveModelDir with another models folder (the live server\'s): names live in it, paths are paths', () => {
  assert.equal(resolveModelDir('anime', '/m'), path.join('/m', 'anime'));
  assert.equal(resolveModelDir('/abs/pkg', '/m'), '/abs/pkg');
  assert.equal(resolveModelDir('./rel', '/m'), path.resolve('rel'));
});
