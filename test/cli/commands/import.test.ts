/**
 * `japananime import` through the real CLI: an ONNX model in foreign conventions becomes a package
 * whose meta.json records the source and licence and which the engine runs like ours (parity with
 * the original on prepared input); bad inputs are one line, exit 1, and leave nothing behind.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../../src/cli/main.js';
import { createStylizer } from '../../../src/engine/create-stylizer.js';
import { JapananimeError } from '../../../src/errors.js';
import { listInstalledModels } from '../../../src/model/import/installed-models.js';
import { loadAnyModelPackage, loadModelPackage, type ModelMeta } from '../../../src/model/model-package.js';
import { PROJECT_ROOT } from '../../../src/project-paths.js';
import { foreignNet } from '../../model/import/foreign-onnx-net.js';
import { agreement, referenceRun, testImages } from '../../model/import/reference-run.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'japananime-import-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Resolved here: the CLI runs in the temp folder (so messages show the relative names), where tsx is not installed.
const TSX = import.meta.resolve('tsx');

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', TSX, path.join(PROJECT_ROOT, 'src/cli/bin.ts'), 'import', ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
}

void test('an NHWC [0,1] BGR model with a multiple of 8 becomes a package that runs like the original', async () => {
  const original = foreignNet({ layout: 'NHWC', range: [0, 1], downsamples: 3, seed: 11 });
  const file = path.join(dir, 'whitebox_like.onnx');
  await writeFile(file, original);
  const out = path.join(dir, 'imported-whitebox');
  const run = cli(file, '--out', out, '--licence', 'CC-BY-NC-4.0', '--range', '0,1', '--channels', 'bgr', '--multiple', '8');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /imported onnx whitebox_like\.onnx as imported .* to .*imported-whitebox/);
  assert.match(run.stderr, /note: most public anime-style weights .* non-commercial/);

  const meta = JSON.parse(await readFile(path.join(out, 'meta.json'), 'utf8')) as ModelMeta;
  assert.equal(meta.license, 'CC-BY-NC-4.0');
  assert.deepEqual(meta.source, {
    file: 'whitebox_like.onnx',
    sha256: createHash('sha256').update(original).digest('hex'),
    kind: 'onnx',
    conventions: { inputName: 'input_1:0', outputName: 'generator/out:0', layout: 'NHWC', range: [0, 1], channels: 'bgr', multiple: 8, minSide: 0, fixedSize: null, batch: 'dynamic', opset: 11 },
  });
  assert.equal(meta.tiling, 'plain-overlap');
  assert.ok(!existsSync(path.join(out, 'tfjs')), 'an imported ONNX graph has no tfjs weights');

  const pkg = await loadAnyModelPackage(out);
  await assert.rejects(loadModelPackage(out), /imported ONNX model without tfjs weights/);
  await assert.rejects(createStylizer({ model: out, engine: 'tfjs' }), /use --engine onnx/);
  const stylizer = await createStylizer({ model: pkg, threads: 1 });
  try {
    const [h, w] = [43, 61];
    const images = testImages(1, h, w);
    const [frame] = await stylizer.run([{ data: images, width: w, height: h, pts: 0, index: 0 }]);
    const want = await referenceRun(original, images, 1, h, w, { layout: 'NHWC', range: [0, 1], channels: 'bgr', multiple: 8 });
    const { within, maxDiff } = agreement(frame!.data, want);
    assert.ok(within >= 0.999, `${(within * 100).toFixed(3)}% within 1 grey level (max diff ${maxDiff})`);
  } finally {
    await stylizer.close();
  }

  // Again without --force: refused, the package untouched. With --force but without the multiple
  // the model needs, the check run fails: refused, untouched. With both: replaced.
  const inProcess = (...args: string[]) => main(['import', file, '--out', out, ...args]).then(() => undefined, (e: unknown) => e as Error);
  assert.match(String((await inProcess('--licence', 'MIT'))?.message), /imported-whitebox already exists; pass --force to replace it$/);
  const broken = await inProcess('--licence', 'MIT', '--force', '--range', '0,1', '--channels', 'bgr');
  assert.match(String(broken?.message), /^the imported model does not run: .*Add node/);
  assert.ok(!broken!.message.includes('\n'));
  assert.equal((JSON.parse(await readFile(path.join(out, 'meta.json'), 'utf8')) as ModelMeta).license, 'CC-BY-NC-4.0');
  const forced = cli(file, '--out', out, '--licence', 'MIT', '--range=-1,1', '--multiple', '8', '--force', '--json');
  assert.equal(forced.status, 0, forced.stderr);
  const summary = JSON.parse(forced.stdout) as { license: string; source: { conventions: { range: number[] } } };
  assert.equal(summary.license, 'MIT');
  assert.deepEqual(summary.source.conventions.range, [-1, 1]);
});

void test('bad inputs: one line, exit 1, nothing written', async () => {
  const files: Record<string, Uint8Array> = {
    'notes.onnx': new TextEncoder().encode('these are my notes, not a model\n'.repeat(20)),
    'classifier.onnx': foreignNet({ classifier: true }),
    'gray.onnx': foreignNet({ inChannels: 1 }),
    'rgba.onnx': foreignNet({ inChannels: 4, layout: 'NHWC' }),
  };
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
  const cases: Array<[string, RegExp]> = [
    ['notes.onnx', /notes\.onnx is not an ONNX model/],
    ['classifier.onnx', /classifier\.onnx is not an image-to-image model: its output 'generator\/out:0' has shape \[\?,10\]/],
    ['gray.onnx', /gray\.onnx: input 'input_1:0' \[\?,1,\?,\?\] has 1 channel \(NCHW\); only 3-channel RGB\/BGR models can be imported/],
    ['rgba.onnx', /rgba\.onnx: input 'input_1:0' \[\?,\?,\?,4\] has 4 channels \(NHWC\)/],
    ['missing.onnx', /model file not found: .*missing\.onnx/],
  ];
  // In-process (one CLI start costs seconds on a busy machine): the same main() and error mapping as the binary.
  for (const [name, pattern] of cases) {
    const err = await main(['import', path.join(dir, name), '--out', path.join(dir, 'bad-out'), '--licence', 'MIT']).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof JapananimeError && err.exitCode === 1, `${name}: ${String(err)}`);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), err.message);
  }
  // And once through the binary: exit 1, one line on stderr.
  const noLicence = cli('classifier.onnx', '--out', 'bad-out');
  assert.equal(noLicence.status, 1);
  assert.match(noLicence.stderr, /^japananime: import needs --licence [^\n]*\n$/);
  // Nothing half-written: no package, no temp folder.
  assert.deepEqual((await readdir(dir)).filter((f) => f.includes('bad-out')), []);
});

void test('japananime models lists the packages of a folder with their source and licence', async () => {
  const models = path.join(dir, 'models');
  await mkdir(path.join(models, 'broken'), { recursive: true });
  const file = path.join(dir, 'v3.onnx');
  await writeFile(file, foreignNet({ layout: 'NHWC', downsamples: 3 }));
  await main(['import', file, '--out', path.join(models, 'animeganv3'), '--licence', 'CC-BY-NC-4.0', '--multiple', '8']);
  const listed = await listInstalledModels(models);
  assert.deepEqual(listed.map((m) => [m.name, m.ok]), [['animeganv3', true], ['broken', false]]);
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => lines.push(chunk) > 0) as typeof process.stdout.write;
  try {
    assert.equal(await main(['models', '--dir', models]), 0);
  } finally {
    process.stdout.write = write;
  }
  assert.match(lines[0]!, /^animeganv3 +imported +0\.01M {2}licence: CC-BY-NC-4\.0 {2}imported onnx v3\.onnx \(sha256 [0-9a-f]{12}…\)\n$/);
  assert.match(lines[1]!, /^broken +\(not a usable package: .*meta\.json is missing\)/);
});
