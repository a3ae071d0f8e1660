import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createStylizer } from '../../../src/engine/create-stylizer.js';
import type { Stylizer } from '../../../src/engine/stylizer.js';
import type { Frame } from '../../../src/frame.js';
import { readImage } from '../../../src/media/image-reader.js';
import { saveModelPackage } from '../../../src/model/model-package.js';
import { getArchitecture } from '../../../src/model/spec.js';
import { formatImagesSummary, stylizeImages, type ImageProgress } from '../../../src/pipeline/image/stylize-images.js';
import { randomPackage, slimFastSpec } from '../../engine/tiling/random-fast-package.js';
import { syntheticPhoto } from '../../engine/tiling/synthetic-photo.js';

let dir: string;
let modelDir: string;
/** Real ONNX Runtime on a slim random-weight generator; counts the batches it is given. */
let onnx: Stylizer;
const calls: number[][] = [];
const counting: Stylizer = {
  description: 'counting',
  run: async (frames: Frame[]) => {
    calls.push(frames.map((f) => f.width * 10000 + f.height));
    return onnx.run(frames);
  },
  close: async () => undefined,
};

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'stylize-images-'));
  modelDir = path.join(dir, 'model');
  await saveModelPackage(modelDir, randomPackage(getArchitecture('fast')));
  onnx = await createStylizer({ model: randomPackage(slimFastSpec()) });
});
after(async () => {
  await onnx.close();
  await rm(dir, { recursive: true, force: true });
});

async function photo(file: string, w: number, h: number, seed = 1, meta?: (s: sharp.Sharp) => sharp.Sharp): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const s = sharp(Buffer.from(syntheticPhoto(w, h, seed)), { raw: { width: w, height: h, channels: 3 } });
  await (meta ? meta(s) : s).toFile(file);
}

test('one photo → one PNG: real model from a package folder, upright, EXIF and ICC kept, really stylized', async () => {
  const input = path.join(dir, 'single', 'holiday.jpg');
  // Stored 64×48 with Orientation 6: the user sees it 48×64.
  await photo(input, 64, 48, 3, (s) => s.withIccProfile('p3').withExif({ IFD0: { Artist: 'Holiday Maker' } }).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }));
  const output = path.join(dir, 'single', 'holiday-anime.png');
  const events: ImageProgress[] = [];
  const result = await stylizeImages({ input, output, model: modelDir, onProgress: (p) => events.push(p) });
  assert.equal(result.mode, 'file');
  assert.deepEqual(result.written, [output]);
  assert.deepEqual(events, [{ done: 1, total: 1, file: input, status: 'written' }]);
  const meta = await sharp(output).metadata();
  assert.equal(meta.format, 'png');
  assert.deepEqual([meta.width, meta.height], [48, 64]);
  assert.ok((meta.orientation ?? 1) === 1);
  assert.ok(meta.exif?.toString('latin1').includes('Holiday Maker'), 'EXIF carried over');
  assert.ok(meta.icc?.equals((await sharp(input).metadata()).icc!), 'ICC carried over');
  const [a, b] = await Promise.all([readImage(input), readImage(output)]);
  let diff = 0;
  for (let i = 0; i < a.data.length; i += 1) diff += Math.abs(a.data[i]! - b.data[i]!);
  assert.ok(diff / a.data.length > 10, `output differs from input: ${diff / a.data.length}`);
  // An existing folder as output: the input's name inside it (and never the input itself).
  const folder = path.join(dir, 'single', 'out');
  await mkdir(folder);
  const intoFolder = await stylizeImages({ input, output: folder, stylizer: counting, onProgress: () => undefined });
  assert.deepEqual(intoFolder.written, [path.join(folder, 'holiday.jpg')]);
  await assert.rejects(stylizeImages({ input, output: path.dirname(input), stylizer: counting }), { code: 'E_OUTPUT_INVALID' });
});

test('a folder: recursive, formats kept, same-size images batched, bad files reported, re-run skips', async () => {
  const src = path.join(dir, 'trip');
  const out = path.join(dir, 'trip-anime');
  await photo(path.join(src, 'a.jpg'), 96, 64, 1, (s) => s.jpeg());
  await photo(path.join(src, 'b.jpg'), 96, 64, 2, (s) => s.jpeg());
  await photo(path.join(src, 'day2', 'c.png'), 96, 64, 3, (s) => s.png());
  await photo(path.join(src, 'day2', 'd.webp'), 80, 120, 4, (s) => s.webp());
  await writeFile(path.join(src, 'corrupt.jpg'), (await readFile(path.join(src, 'a.jpg'))).subarray(0, 300));
  await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } }).png().toFile(path.join(src, 'dot.png'));
  await sharp({ create: { width: 16, height: 16, channels: 3, background: '#f00' } }).gif().toFile(path.join(src, 'anim.gif'));
  await writeFile(path.join(src, 'notes.txt'), 'not an image');
  calls.length = 0;
  const warnings: string[] = [];
  const first = await stylizeImages({ input: src, output: out, stylizer: counting, batch: 4, onProgress: () => undefined, onWarning: (w) => warnings.push(w) });
  assert.equal(first.mode, 'folder');
  assert.equal(first.total, 7);
  assert.deepEqual([...first.written].sort(), [path.join(out, 'a.jpg'), path.join(out, 'b.jpg'), path.join(out, 'day2', 'c.png'), path.join(out, 'day2', 'd.webp')].sort());
  assert.deepEqual(first.failed.map((f) => [path.basename(f.file), f.code]).sort(), [['anim.gif', 'E_INPUT_INVALID'], ['corrupt.jpg', 'E_INPUT_INVALID'], ['dot.png', 'E_INPUT_INVALID']]);
  assert.equal(warnings.length, 3);
  assert.ok(warnings.every((w) => !w.includes('\n')));
  // The three 96×64 images in one call, the 80×120 one alone.
  assert.deepEqual(calls.map((c) => c.length).sort(), [1, 3]);
  assert.equal((await sharp(path.join(out, 'day2', 'c.png')).metadata()).format, 'png');
  assert.equal((await sharp(path.join(out, 'day2', 'd.webp')).metadata()).format, 'webp');
  assert.deepEqual((await readdir(out)).sort(), ['a.jpg', 'b.jpg', 'day2'], 'nothing half-written, no outputs for bad files');

  calls.length = 0;
  const again = await stylizeImages({ input: src, output: out, stylizer: counting, onProgress: () => undefined, onWarning: () => undefined });
  assert.equal(again.written.length, 0);
  assert.equal(again.skipped.length, 4);
  assert.equal(calls.length, 0, 'a finished folder runs no model');

  assert.match(formatImagesSummary(again), /^stylized 0 images, skipped 4 already done, 3 failed in \d+\.\d s$/);
  const later = new Date(Date.now() + 5000);
  await utimes(path.join(src, 'b.jpg'), later, later);
  const third = await stylizeImages({ input: src, output: out, stylizer: counting, onProgress: () => undefined, onWarning: () => undefined });
  assert.deepEqual(third.written, [path.join(out, 'b.jpg')]);
});

test('bad input and output: one typed error each, nothing written', async () => {
  const good = path.join(dir, 'bad', 'good.png');
  await photo(good, 32, 32, 5, (s) => s.png());
  const base = { stylizer: counting, onProgress: () => undefined };
  await assert.rejects(stylizeImages({ ...base, input: path.join(dir, 'bad', 'missing.jpg'), output: path.join(dir, 'bad', 'o.png') }), { code: 'E_INPUT_MISSING' });
  const corrupt = path.join(dir, 'bad', 'corrupt.jpg');
  await writeFile(corrupt, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]));
  await assert.rejects(stylizeImages({ ...base, input: corrupt, output: path.join(dir, 'bad', 'c.png') }), { code: 'E_INPUT_INVALID' });
  const tiny = path.join(dir, 'bad', 'tiny.png');
  await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } }).png().toFile(tiny);
  await assert.rejects(stylizeImages({ ...base, input: tiny, output: path.join(dir, 'bad', 't.png') }), { code: 'E_INPUT_INVALID', message: `${tiny}: the image is 1x1; the smallest that can be stylized is 8x8` });
  await assert.rejects(stylizeImages({ ...base, input: good, output: path.join(dir, 'bad', 'g.bmp') }), { code: 'E_OUTPUT_INVALID' });
  const blocker = path.join(dir, 'bad', 'blocker');
  await writeFile(blocker, 'a file');
  await assert.rejects(stylizeImages({ ...base, input: path.join(dir, 'trip'), output: blocker }), { code: 'E_OUTPUT_INVALID', message: `${blocker} is a file, not a folder` });
  await assert.rejects(stylizeImages({ ...base, input: good, output: path.join(blocker, 'x.png') }), { code: 'E_OUTPUT_INVALID' });
  await assert.rejects(stylizeImages({ ...base, input: good, output: good }), { code: 'E_OUTPUT_INVALID' });
  await assert.rejects(stylizeImages({ ...base, input: good, output: path.join(dir, 'bad', 'o.png'), tile: 3 }), { code: 'E_USAGE' });
  assert.deepEqual((await readdir(path.join(dir, 'bad'))).sort(), ['blocker', 'corrupt.jpg', 'good.png', 'tiny.png']);
});

test('an aborted signal stops the run with E_ABORTED', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(stylizeImages({ input: path.join(dir, 'trip'), output: path.join(dir, 'never'), stylizer: counting, force: true, signal: controller.signal, onProgress: () => undefined }), { code: 'E_ABORTED' });
});
