/**
 * An imported model runs everywhere ours do: it converts a video with its audio (convertVideo), a
 * large photo in tiles (stylizeImages --tile) and a live WebSocket session in headless Chromium
 * (the e2e fixtures), each with the real ffmpeg, ONNX Runtime and browser.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createStylizer } from '../../../src/engine/create-stylizer.js';
import { importModel } from '../../../src/model/import/import-model.js';
import { probeMedia } from '../../../src/media/probe.js';
import { convertVideo } from '../../../src/pipeline/convert-video.js';
import { stylizeImages } from '../../../src/pipeline/image/stylize-images.js';
import { blockMeans, checkSessionMatchesModel, meanAbsDiff, startLiveE2e } from '../../e2e/live-fixtures.js';
import { makeClip, tempDir } from '../../media/make-clip.js';
import { foreignNet } from './foreign-onnx-net.js';
import { testImages } from './reference-run.js';
import { readFile, writeFile } from 'node:fs/promises';

let dir: string;
let cleanup: () => Promise<void>;
let onnxFile: string;
let pkgDir: string;
/** An AnimeGANv3-like import: NHWC, [-1,1], sides a multiple of 8, with an instance norm (opset 15: tiles share its statistics). */
const importOptions = { license: 'CC-BY-NC-4.0', multiple: 8 };

before(async () => {
  ({ dir, cleanup } = await tempDir('japananime-imported-'));
  onnxFile = path.join(dir, 'animeganv3_like.onnx');
  await writeFile(onnxFile, foreignNet({ layout: 'NHWC', downsamples: 3, seed: 21, opset: 15 }));
  pkgDir = path.join(dir, 'animeganv3-like');
  await importModel({ source: onnxFile, out: pkgDir, ...importOptions });
});
after(async () => {
  await cleanup();
});

void test('an imported model converts a video and keeps its audio', async () => {
  const input = await makeClip(path.join(dir, 'clip.mp4'), { width: 70, height: 46, frames: 10, audio: 'aac' });
  const output = path.join(dir, 'clip-anime.mp4');
  const result = await convertVideo({ input, output, model: pkgDir, preset: 'ultrafast', threads: 1 });
  assert.equal(result.frames, 10);
  const info = await probeMedia(output);
  assert.deepEqual([info.width, info.height], [70, 46]);
  assert.equal(info.audio.length, 1, 'the audio stream is kept');
});

void test('an imported model stylizes a large photo in tiles like in one piece', async () => {
  // A model without instance norm (meta.json: plain-overlap): overlapped tiles and the blend alone
  // must give the one-piece result. (Sharing norm statistics is the tiling engine's, tested there.)
  const plainFile = path.join(dir, 'no_norm.onnx');
  await writeFile(plainFile, foreignNet({ layout: 'NHWC', downsamples: 3, seed: 21, norm: false }));
  const plainDir = path.join(dir, 'no-norm');
  await importModel({ source: plainFile, out: plainDir, ...importOptions });
  const [w, h] = [1300, 900];
  // Without pixel noise: the shared statistics are measured on a downscaled copy, which keeps a
  // photo's tones but not per-pixel noise (tiled-stylizer.ts).
  const pixels = testImages(1, h, w, 3, 0);
  const input = path.join(dir, 'large.png');
  await sharp(Buffer.from(pixels), { raw: { width: w, height: h, channels: 3 } }).png().toFile(input);
  const output = path.join(dir, 'large-anime.png');
  assert.equal((JSON.parse(await readFile(path.join(plainDir, 'meta.json'), 'utf8')) as { tiling: string }).tiling, 'plain-overlap');
  const result = await stylizeImages({ input, output, model: plainDir, tile: 512 });
  assert.deepEqual(result.written, [output]);
  const { data, info } = await sharp(output).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [w, h, 3]);
  // The same photo in one piece: the tiles share the frame's norm statistics and blend, so they agree closely.
  const whole = await createStylizer({ model: plainDir, threads: 1 });
  try {
    const [ref] = await whole.run([{ data: pixels, width: w, height: h, pts: 0, index: 0 }]);
    // Tile origins are not aligned to the model's stride of 8 (tile-plan.ts knows no multiple), so a
    // strided random net differs pixel by pixel where tiles start; the picture's tone must agree.
    const tone = meanAbsDiff(blockMeans(data, w, h, 16), blockMeans(ref!.data, w, h, 16));
    assert.ok(tone < 6, `tiled vs whole: 16-px block means differ by ${tone.toFixed(2)} grey levels`);
    let toInput = 0;
    for (let i = 0; i < data.length; i++) toInput += Math.abs(data[i]! - pixels[i]!);
    assert.ok(toInput / data.length > 20, 'the output is stylized, not the photo');
  } finally {
    await whole.close();
  }
});

void test('an imported model serves a live WebSocket session', async () => {
  // The server's default model is the imported package (a package folder may stand for a name).
  const e2e = await startLiveE2e({ server: () => ({ model: pkgDir }) });
  let reference;
  try {
    reference = await e2e.fx.openReference(pkgDir);
    await checkSessionMatchesModel({ ...e2e, reference }, 'ws');
  } finally {
    await reference?.close();
    await e2e.close();
  }
});
