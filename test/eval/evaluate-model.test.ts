import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { evaluateModel, formatEvaluationTable } from '../../src/eval/evaluate-model.js';
import { saveModelPackage } from '../../src/model/model-package.js';
import { initParams } from '../../src/model/params.js';
import { getArchitecture } from '../../src/model/spec.js';
import { makeClip, tempDir } from '../media/make-clip.js';
import { syntheticCel } from './look-cases.js';

let dir = '';
let cleanup: () => Promise<void> = async () => {};

before(async () => {
  ({ dir, cleanup } = await tempDir('japananime-eval-'));
  const spec = getArchitecture('fast');
  await saveModelPackage(path.join(dir, 'model'), { spec, params: initParams(spec, 3), meta: { description: 'random weights for tests' } });
  // Two "photos": a noisy gradient and a noisy checkerboard, both with texture to flatten.
  for (const [name, fn] of [['a.png', (x: number, y: number) => (x + y) % 256], ['b.jpg', (x: number, y: number) => ((x >> 4) + (y >> 4)) % 2 ? 200 : 40]] as const) {
    const w = 192, h = 128;
    const data = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, fn(x, y) + ((x * 7 + y * 13 + c * 5) % 17) - 8));
    await sharp(data, { raw: { width: w, height: h, channels: 3 } }).toFile(path.join(dir, `photos-${name}`));
  }
  await makeClip(path.join(dir, 'clip.mp4'), { width: 64, height: 48, frames: 6 });
  // A small "anime set": flat cels with dark outlines.
  await mkdir(path.join(dir, 'anime'));
  for (const seed of [1, 2, 3, 4]) {
    const cel = syntheticCel(seed, 96, 64);
    await sharp(cel.data, { raw: { width: cel.width, height: cel.height, channels: 3 } }).toFile(path.join(dir, 'anime', `cel-${seed}.png`));
  }
});
after(() => cleanup());

void test('eval measures photos and a video with the real engine, beside a blur reference', async () => {
  const photos = [path.join(dir, 'photos-a.png'), path.join(dir, 'photos-b.jpg')];
  const result = await evaluateModel({ inputs: [...photos, path.join(dir, 'clip.mp4')], model: path.join(dir, 'model'), maxVideoFrames: 4, maxSide: undefined });
  assert.equal(result.rows.length, 6);
  assert.deepEqual(result.rows.map((r) => r.transform), ['input', 'model', 'blur reference', 'input', 'model', 'blur reference']);
  const [photoInput, photoModel, photoBlur, , videoModel, videoBlur] = result.rows;
  assert.equal(photoModel!.items, 2);
  assert.equal(videoModel!.items, 4);
  for (const row of result.rows) {
    for (const v of [row.textureRatio, row.edgeRatio, row.colourRatio, row.edgeCorrelation, row.meanChange, row.edgeCorrelationHalf, row.strongEdgeRatio, row.colourRatio90, row.colours90, row.flatTexture]) {
      assert.ok(Number.isFinite(v), JSON.stringify(row));
    }
    assert.equal(row.kid, undefined, 'no KID without an anime set');
  }
  // The input row is each photo against itself: no change, and its own baseline texture.
  assert.equal(photoInput!.meanChange, 0);
  assert.equal(photoInput!.strongEdgeRatio, 1);
  assert.ok(photoBlur!.flatTexture < photoInput!.flatTexture, `blur ${photoBlur!.flatTexture} vs input ${photoInput!.flatTexture}`);
  assert.ok(photoBlur!.meanChange > 1 && photoBlur!.strongEdgeRatio < 0.9, JSON.stringify(photoBlur));
  // The blur reference must read as a blur: weaker edges, high structural correlation.
  assert.ok(photoBlur!.edgeRatio < 0.9, `blur edge ratio ${photoBlur!.edgeRatio}`);
  assert.ok(photoBlur!.edgeCorrelation > 0.8, `blur edge correlation ${photoBlur!.edgeCorrelation}`);
  assert.ok(Number.isFinite(videoModel!.flicker) && Number.isFinite(videoBlur!.flicker));
  // A blur moves no more than the input does.
  assert.ok(videoBlur!.flicker! < 1.05, `blur flicker ${videoBlur!.flicker}`);
  const table = formatEvaluationTable(result);
  assert.match(table, /photos \(2\)\s+input\s+2/);
  assert.match(table, /photos \(2\)\s+model\s+2/);
  assert.doesNotMatch(table, /KID/, 'no KID column without an anime set');
  assert.match(table, /video clip\.mp4\s+blur reference\s+4/);
});

void test('eval with an anime set adds the style distance (KID) and the anime row', async () => {
  const photos = [path.join(dir, 'photos-a.png'), path.join(dir, 'photos-b.jpg')];
  const result = await evaluateModel({ inputs: photos, model: path.join(dir, 'model'), anime: [path.join(dir, 'anime')] });
  assert.deepEqual(result.rows.map((r) => r.transform), ['input', 'model', 'blur reference', 'anime reference']);
  for (const row of result.rows) assert.ok(Number.isFinite(row.kid), JSON.stringify(row));
  const animeRow = result.rows[3]!;
  assert.equal(animeRow.set, 'anime (4)');
  // The anime row compares the set's halves; the photos are far from flat cels.
  assert.ok(animeRow.kid! < result.rows[0]!.kid!, JSON.stringify(result.rows.map((r) => r.kid)));
  assert.match(result.styleFeatures ?? '', /MobileNetV2/);
  assert.match(formatEvaluationTable(result), /KID×10³/);
  await assert.rejects(evaluateModel({ inputs: photos, model: path.join(dir, 'model'), anime: [path.join(dir, 'anime', 'cel-1.png')] }), { code: 'E_USAGE' });
  // An anime video gives frames evenly spread over it.
  const fromVideo = await evaluateModel({ inputs: [photos[0]!], model: path.join(dir, 'model'), anime: [path.join(dir, 'clip.mp4')], maxAnime: 4 });
  const videoRow = fromVideo.rows.at(-1)!;
  assert.deepEqual([videoRow.transform, videoRow.set, videoRow.items], ['anime reference', 'anime (4)', 4]);
  assert.ok(Number.isFinite(videoRow.kid));
});

void test('eval: missing input and an empty folder are one-line input errors', async () => {
  await assert.rejects(evaluateModel({ inputs: [path.join(dir, 'nope.png')], model: path.join(dir, 'model') }), { code: 'E_INPUT_MISSING' });
  await assert.rejects(evaluateModel({ inputs: [path.join(dir, 'model')], model: path.join(dir, 'model') }), { code: 'E_INPUT_INVALID' });
  await assert.rejects(evaluateModel({ inputs: [], model: path.join(dir, 'model') }), { code: 'E_USAGE' });
});
