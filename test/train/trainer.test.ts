import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createStylizer } from '../../src/engine/create-stylizer.js';
import { JapananimeError } from '../../src/errors.js';
import { onnxFingerprint, preferInt8Copy } from '../../src/model/quantize/int8-copy.js';
import { listCheckpoints, readCheckpoint } from '../../src/train/checkpoint.js';
import { loadModelPackage } from '../../src/model/model-package.js';
import { buildPhotoTargets } from '../../src/train/dataset/build-targets.js';
import { exportRun } from '../../src/train/export-run.js';
import { readMetrics } from '../../src/train/metrics.js';
import { train, type TrainOptions } from '../../src/train/trainer.js';
import { makeTinyDataset } from './tiny-dataset.js';

let dir = '';
let data = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'trainer-test-'));
  data = await makeTinyDataset(path.join(dir, 'data'), { size: 64, count: 2 });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = (out: string): TrainOptions => ({ photos: data, anime: data, out: path.join(dir, out), batch: 2, crop: 32, workers: 1, sampleEvery: 0 });
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

test('fast: losses are finite in both phases and the run folder is complete', async () => {
  const out = path.join(dir, 'fast');
  const result = await train({ ...base('fast'), crop: 64, steps: 6, pretrainSteps: 2, sampleEvery: 3, checkpointEvery: 3 });
  assert.equal(result.step, 6);
  const lines = await readMetrics(out);
  assert.deepEqual(lines.map((l) => l.step), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(lines.map((l) => l.phase), ['pretrain', 'pretrain', 'gan', 'gan', 'gan', 'gan']);
  for (const l of lines.slice(0, 2)) assert.ok(Number.isFinite(l.losses['content']));
  for (const l of lines.slice(2)) {
    for (const key of ['content', 'style', 'g_adv', 'g_total', 'd_real', 'd_fake', 'd_smooth', 'd_total']) {
      assert.ok(Number.isFinite(l.losses[key]), `${key} at step ${l.step}: ${l.losses[key]}`);
    }
    assert.ok(l.seconds > 0 && l.lr === 1e-4);
  }
  assert.ok(existsSync(path.join(out, 'samples', 'step-00000003.png')));
  assert.ok(existsSync(path.join(out, 'samples', 'step-00000006.png')));
  assert.deepEqual((await listCheckpoints(out)).map((c) => c.step), [3, 6]);
});

test('export with int8 writes the package and its int8 copy beside it, made from that exact model.onnx', async () => {
  const modelDir = path.join(dir, 'fast-model');
  // The fast run of the first test; calibrated on its own tiny photos (the sample clip is not needed).
  const pkg = await exportRun({ run: path.join(dir, 'fast'), out: modelDir, int8: { calibration: [data], frames: 2 } });
  assert.equal(pkg.meta.architecture, 'fast');
  const copy = JSON.parse(await readFile(path.join(`${modelDir}-int8`, 'meta.json'), 'utf8')) as { precision: string; quantization: { sourceOnnxSha256: string } };
  assert.equal(copy.precision, 'int8');
  assert.equal(copy.quantization.sourceOnnxSha256, onnxFingerprint(pkg.onnx));
  assert.equal(preferInt8Copy(modelDir).dir, `${modelDir}-int8`);
});

test('the content loss falls during pretraining (cartoongan on one fixed photo)', async () => {
  // The fast generator starts as the identity (content loss 0), so the decrease is shown on
  // cartoongan, with a one-photo dataset so that only the flips vary between steps.
  const one = await makeTinyDataset(path.join(dir, 'one'), { size: 32, count: 1, withAnime: false });
  const out = path.join(dir, 'pretrain');
  await train({ photos: one, out, arch: 'cartoongan', batch: 2, crop: 32, workers: 1, sampleEvery: 0, steps: 6, pretrainSteps: 6, lr: 3e-4 });
  const content = (await readMetrics(out)).map((l) => l.losses['content']!);
  assert.equal(content.length, 6);
  assert.ok(content.every((c) => Number.isFinite(c) && c > 0));
  assert.ok(mean(content.slice(-2)) < mean(content.slice(0, 2)) - 0.02, `content loss did not fall: ${content.join(', ')}`);
  assert.ok(content[5]! < content[0]!);
});

test('the structure loss (to the cel-shaded target) falls in both phases and is logged with the others', async () => {
  const one = await makeTinyDataset(path.join(dir, 'one-cel'), { size: 32, count: 1 });
  const out = path.join(dir, 'structure');
  await train({ photos: one, anime: one, out, arch: 'fast', batch: 2, crop: 32, workers: 1, sampleEvery: 0, steps: 14, pretrainSteps: 10, lr: 3e-4, weights: { content: 1, structure: 10 } });
  const lines = await readMetrics(out);
  const structure = lines.map((l) => l.losses['structure']!);
  assert.ok(structure.every((s) => Number.isFinite(s) && s > 0), structure.join(', '));
  // The first Adam step moves every weight by about lr and knocks the output off its start (the
  // photo's own guided filter, already near the target); from there the regression must descend.
  assert.ok(mean(structure.slice(8, 10)) < mean(structure.slice(1, 3)) * 0.85, `structure loss did not fall: ${structure.join(', ')}`);
  for (const l of lines.slice(10)) assert.ok(Number.isFinite(l.losses['g_adv']) && Number.isFinite(l.losses['structure']));
  // Off by default: no target computed, no key logged.
  const plain = await readMetrics(path.join(dir, 'fast'));
  assert.ok(plain.length > 0 && plain.every((l) => !('structure' in l.losses)));
});

test('--cel-palette measures the film\'s palette into run.json once; the sample grid shows the target', async () => {
  const out = path.join(dir, 'palette');
  const cel = { iterations: 2, saturation: 1.2 };
  await train({ ...base('palette'), steps: 2, pretrainSteps: 2, sampleEvery: 2, weights: { content: 1, structure: 10 }, cel, celPalette: 0.5 });
  const config = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as { cel: { palette: { photo: number[][]; anime: number[][] }; paletteStrength: number; iterations: number; saturation: number } };
  assert.equal(config.cel.paletteStrength, 0.5);
  assert.equal(config.cel.iterations, 2);
  assert.equal(config.cel.saturation, 1.2);
  for (const side of [config.cel.palette.photo, config.cel.palette.anime]) {
    assert.equal(side.length, 3);
    assert.ok(side.every((q) => q.length === 101 && q.every(Number.isFinite)));
  }
  // The tiny data set's anime images are not its photos: the two sides differ.
  assert.notDeepEqual(config.cel.palette.photo, config.cel.palette.anime);
  // Resumed: the palette is the run's, not measured again (nor dropped).
  await train({ out, resume: true, steps: 3, workers: 1, sampleEvery: 0, celPalette: 1 });
  const again = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as typeof config;
  assert.deepEqual(again.cel, config.cel);
  // photo | cel target | generated.
  const grid = await sharp(path.join(out, 'samples', 'step-00000002.png')).metadata();
  assert.equal(grid.width, 3 * 32);
  // Without the structure loss there is no target to show.
  await train({ ...base('grid2'), steps: 1, pretrainSteps: 1, sampleEvery: 1 });
  assert.equal((await sharp(path.join(dir, 'grid2', 'samples', 'step-00000001.png')).metadata()).width, 2 * 32);
  await assert.rejects(train({ ...base('palette-no-anime'), anime: undefined, steps: 1, pretrainSteps: 1, celPalette: 1 }), /--cel-palette .* needs --anime/);
});

test('precomputed anime targets: --target anime regresses towards them (same window and flip as the photo) and records the choice', async () => {
  const one = await makeTinyDataset(path.join(dir, 'one-anime'), { size: 32, count: 1 });
  // Before `dataset targets`, a new run falls back to the cel target; asking for anime is a one-line error.
  await assert.rejects(train({ photos: one, anime: one, out: path.join(dir, 'no-targets'), batch: 2, crop: 32, workers: 1, sampleEvery: 0, steps: 1, pretrainSteps: 1, structureTarget: 'anime', weights: { structure: 10 } }), /run 'japananime dataset targets/);
  const built = await buildPhotoTargets({ root: one });
  assert.equal(built.written, 2); // train + val
  const out = path.join(dir, 'anime-target');
  await train({ photos: one, anime: one, out, arch: 'fast', batch: 2, crop: 32, workers: 1, sampleEvery: 5, steps: 10, pretrainSteps: 10, lr: 3e-4, contentOn: 'target', weights: { content: 1, structure: 10 } });
  const config = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as { structureTarget: string; contentOn: string };
  assert.equal(config.structureTarget, 'anime');
  assert.equal(config.contentOn, 'target');
  const structure = (await readMetrics(out)).map((l) => l.losses['structure']!);
  assert.ok(mean(structure.slice(7, 10)) < mean(structure.slice(0, 3)) * 0.85, `structure loss did not fall: ${structure.join(', ')}`);
  // The sample grid's middle column is the precomputed target itself (centre crop of the val photo's target).
  const grid = await sharp(path.join(out, 'samples', 'step-00000005.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const target = await sharp(path.join(one, 'photo_targets', 'val', 's00-f000000-c00.png')).raw().toBuffer();
  let worst = 0;
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32 * 3; x++) worst = Math.max(worst, Math.abs(grid.data[(y * grid.info.width + 32) * 3 + x]! - target[y * 32 * 3 + x]!));
  assert.ok(worst <= 1, `sample grid's target column differs from the target file by ${worst}`);
});

test('--pretrain-steps on --resume moves the end of an unfinished pretraining, and is refused once it is over', async () => {
  const out = path.join(dir, 'move-pretrain');
  await train({ ...base('move-pretrain'), steps: 2, pretrainSteps: 4 });
  await train({ out, resume: true, steps: 3, pretrainSteps: 2, workers: 1, sampleEvery: 0 });
  assert.deepEqual((await readMetrics(out)).map((l) => l.phase), ['pretrain', 'pretrain', 'gan']);
  assert.equal((JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as { pretrainSteps: number }).pretrainSteps, 2);
  await assert.rejects(train({ out, resume: true, steps: 4, pretrainSteps: 3, workers: 1, sampleEvery: 0 }), /cannot change --pretrain-steps .* at step 3, past the end of pretraining \(2\)/);
});

test('resume continues at the exact next step: 4 steps straight = 2 steps + resume to 4', async () => {
  const straight = await train({ ...base('straight'), steps: 4, pretrainSteps: 2 });
  await train({ ...base('split'), steps: 2, pretrainSteps: 2 });
  const resumed = await train({ out: path.join(dir, 'split'), resume: true, steps: 4, workers: 1, sampleEvery: 0 });
  assert.equal(resumed.step, 4);
  for (const file of ['g.bin', 'd.bin', 'g_adam_v.bin', 'd_adam_m.bin', 'state.json']) {
    const a = await readFile(path.join(straight.checkpoint!, file));
    const b = await readFile(path.join(resumed.checkpoint!, file));
    if (file === 'state.json') {
      const [sa, sb] = [JSON.parse(a.toString()), JSON.parse(b.toString())];
      delete sa.trainSeconds;
      delete sb.trainSeconds;
      assert.deepEqual(sa, sb);
    } else assert.ok(a.equals(b), `${file} differs after resume`);
  }
  // The D of the resumed run was trained (GAN steps 3 and 4), so equality is not trivial.
  const lines = await readMetrics(path.join(dir, 'split'));
  assert.deepEqual(lines.map((l) => [l.step, l.phase]), [[1, 'pretrain'], [2, 'pretrain'], [3, 'gan'], [4, 'gan']]);
});

test('Ctrl-C writes a checkpoint first; a half-written checkpoint never breaks resume', async () => {
  const controller = new AbortController();
  const out = path.join(dir, 'abort');
  await assert.rejects(
    train({ ...base('abort'), steps: 10, pretrainSteps: 10, signal: controller.signal, onStep: (l) => { if (l.step === 2) controller.abort(); } }),
    (e: unknown) => e instanceof JapananimeError && e.code === 'E_ABORTED',
  );
  assert.deepEqual((await listCheckpoints(out)).map((c) => c.step), [2]);
  // A writer killed mid-checkpoint leaves a temp folder (and maybe a step folder without state.json).
  await mkdir(path.join(out, 'checkpoints', '.step-00000003.999.in-progress'), { recursive: true });
  await mkdir(path.join(out, 'checkpoints', 'step-00000003'), { recursive: true });
  await writeFile(path.join(out, 'checkpoints', 'step-00000003', 'g.bin'), Buffer.alloc(10));
  assert.deepEqual((await listCheckpoints(out)).map((c) => c.step), [2]);
  const r = await train({ out, resume: true, steps: 3, workers: 1, sampleEvery: 0 });
  assert.equal(r.step, 3);
  assert.deepEqual((await readMetrics(out)).map((l) => l.step), [1, 2, 3]);
  assert.ok(!existsSync(path.join(out, 'checkpoints', '.step-00000003.999.in-progress')));
});

test('cartoongan trains 2 steps at 64x64 and the export runs in ONNX Runtime', async () => {
  const out = path.join(dir, 'cartoongan');
  const r = await train({ ...base('cartoongan'), arch: 'cartoongan', crop: 64, steps: 2, pretrainSteps: 1 });
  for (const v of Object.values(r.losses)) assert.ok(Number.isFinite(v));
  assert.ok('d_total' in r.losses);
  const modelDir = path.join(dir, 'cartoongan-model');
  const pkg = await exportRun({ run: out, out: modelDir });
  assert.equal(pkg.meta.architecture, 'cartoongan');
  assert.equal(pkg.meta.training['steps'], 2);
  assert.match(JSON.stringify(pkg.meta.training['perceptual']), /nsfwjs/);
  const meta = JSON.parse(await readFile(path.join(modelDir, 'meta.json'), 'utf8')) as { training: { finalLosses: Record<string, number> } };
  assert.ok(Number.isFinite(meta.training.finalLosses['g_total']));
  const stylizer = await createStylizer({ model: modelDir, engine: 'onnx' });
  try {
    const width = 40;
    const height = 28;
    const frame = { data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256), width, height, pts: 0, index: 0 };
    const [res] = await stylizer.run([frame]);
    assert.equal(res!.width, width);
    assert.equal(res!.height, height);
    assert.equal(res!.data.length, width * height * 3);
    assert.ok(new Set(res!.data).size > 1, 'output is not a constant image');
  } finally {
    await stylizer.close();
  }
});

test('--init starts the generator from a package of the same architecture and records it; another architecture is refused', async () => {
  // The fast package exported by the int8 test above; a learning rate of 1e-12 leaves its weights as they were.
  const pkgDir = path.join(dir, 'fast-model');
  const out = path.join(dir, 'from-init');
  await train({ ...base('from-init'), init: pkgDir, crop: 32, steps: 1, pretrainSteps: 1, pretrainLr: 1e-12, checkpointEvery: 1 });
  const config = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as { init?: string };
  assert.equal(config.init, pkgDir);
  const [ck] = await listCheckpoints(out);
  const g = (await readCheckpoint(ck!.dir)).g;
  const pkg = await loadModelPackage(pkgDir);
  for (const [name, p] of pkg.params) {
    const q = g.get(name)!;
    for (let i = 0; i < p.data.length; i += 97) assert.ok(Math.abs(q.data[i]! - p.data[i]!) < 1e-6, `${name}[${i}]`);
  }
  await assert.rejects(train({ ...base('from-wrong'), init: path.join(dir, 'cartoongan-model'), steps: 1, pretrainSteps: 1 }), /cannot start a fast run from .*: it is a cartoongan package/);
});

test('bad input is one typed line: missing/empty dataset, images smaller than the crop, another arch on resume', async () => {
  const oneLine = (code: string, re: RegExp) => (e: unknown): boolean => {
    assert.ok(e instanceof JapananimeError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    assert.ok(!e.message.includes('\n'));
    return true;
  };
  await assert.rejects(train({ ...base('bad1'), photos: path.join(dir, 'nope'), steps: 1 }), oneLine('E_DATASET_INVALID', /not found/));
  const empty = path.join(dir, 'empty');
  await mkdir(path.join(empty, 'photos', 'train'), { recursive: true });
  await assert.rejects(train({ ...base('bad2'), photos: empty, steps: 1 }), oneLine('E_DATASET_INVALID', /empty/));
  await assert.rejects(train({ ...base('bad3'), crop: 128, steps: 1 }), oneLine('E_DATASET_INVALID', /smaller than the crop 128/));
  await assert.rejects(train({ out: path.join(dir, 'straight'), resume: true, arch: 'cartoongan', steps: 6 }), oneLine('E_RUN_INVALID', /trained with --arch fast/));
  await assert.rejects(train({ out: path.join(dir, 'never'), resume: true, steps: 6 }), oneLine('E_RUN_INVALID', /not a training run/));
  await assert.rejects(train({ ...base('straight'), steps: 6 }), oneLine('E_RUN_INVALID', /already holds a run/));
  const corrupt = path.join(dir, 'corrupt.h5');
  await writeFile(corrupt, 'not an hdf5 file');
  await assert.rejects(train({ ...base('bad4'), steps: 1, perceptual: 'vgg19', vgg19Weights: corrupt }), oneLine('E_INPUT_INVALID', /not a readable HDF5 file/));
  await assert.rejects(train({ ...base('bad5'), steps: 1, perceptual: 'vgg19' }), oneLine('E_USAGE', /needs --vgg19-weights/));
});
