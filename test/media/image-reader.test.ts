import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { readImage, readImageInfo } from '../../src/media/image-reader.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'image-reader-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 40×20 red image whose 5 leftmost columns are green. */
function marked(): Buffer {
  const w = 40;
  const h = 20;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      const o = (y * w + x) * 3;
      if (x < 5) raw[o + 1] = 255;
      else raw[o] = 255;
    }
  }
  return raw;
}

test('EXIF orientation 6 is applied: a 40x20 stored image reads as 20x40, its left edge on top', async () => {
  const file = path.join(dir, 'rotated.jpg');
  await sharp(marked(), { raw: { width: 40, height: 20, channels: 3 } }).withMetadata({ orientation: 6 }).jpeg({ quality: 98 }).toFile(file);
  const info = await readImageInfo(file);
  assert.equal(info.format, 'jpeg');
  assert.deepEqual([info.width, info.height], [20, 40]);
  const img = await readImage(file);
  assert.deepEqual([img.width, img.height], [20, 40]);
  assert.equal(img.data.length, 20 * 40 * 3);
  // Orientation 6 = rotate 90° clockwise to display: the stored left columns become the top rows.
  const px = (x: number, y: number): number[] => Array.from(img.data.subarray((y * 20 + x) * 3, (y * 20 + x) * 3 + 3));
  assert.ok(px(10, 1)[1]! > 200 && px(10, 1)[0]! < 60, `top is green: ${px(10, 1)}`);
  assert.ok(px(10, 30)[0]! > 200 && px(10, 30)[1]! < 60, `bottom is red: ${px(10, 30)}`);
});

test('a PNG with alpha: rgb and alpha come apart', async () => {
  const file = path.join(dir, 'alpha.png');
  const rgba = Buffer.alloc(16 * 16 * 4);
  for (let i = 0; i < 256; i += 1) rgba.set([10, 20, 30, i], i * 4);
  await sharp(rgba, { raw: { width: 16, height: 16, channels: 4 } }).png().toFile(file);
  const img = await readImage(file);
  assert.equal(img.hasAlpha, true);
  assert.deepEqual(Array.from(img.data.subarray(0, 6)), [10, 20, 30, 10, 20, 30]);
  assert.equal(img.alpha![200], 200);
});

test('a P3 JPEG is converted to sRGB', async () => {
  const file = path.join(dir, 'p3.jpg');
  const raw = Buffer.alloc(16 * 16 * 3);
  for (let i = 0; i < 256; i += 1) raw.set([100, 150, 200], i * 3);
  // withIccProfile converts the sRGB values into P3 and tags the file.
  await sharp(raw, { raw: { width: 16, height: 16, channels: 3 } }).withIccProfile('p3').jpeg({ quality: 100 }).toFile(file);
  const info = await readImageInfo(file);
  assert.ok(info.icc && info.icc.length > 100);
  const img = await readImage(file);
  for (let k = 0; k < 3; k += 1) assert.ok(Math.abs(img.data[k]! - [100, 150, 200][k]!) <= 2, `sRGB back: ${Array.from(img.data.subarray(0, 3))}`);
});

test('bad inputs: one typed error each', async () => {
  const missing = path.join(dir, 'nope.jpg');
  await assert.rejects(readImage(missing), { code: 'E_INPUT_MISSING', message: `${missing}: no such file` });

  const garbage = path.join(dir, 'garbage.jpg');
  await writeFile(garbage, Buffer.from('this is not an image at all, just text pretending'));
  await assert.rejects(readImage(garbage), (e: Error & { code: string }) => e.code === 'E_INPUT_INVALID' && /not a readable image/.test(e.message) && !e.message.includes('\n'));

  const good = path.join(dir, 'good.jpg');
  await sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } }).jpeg().toFile(good);
  const bytes = await readFile(good);
  const truncated = path.join(dir, 'truncated.jpg');
  await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await assert.rejects(readImage(truncated), (e: Error & { code: string }) => e.code === 'E_INPUT_INVALID' && /(corrupt|not a readable) image/.test(e.message));

  const gif = path.join(dir, 'anim.gif');
  await sharp({ create: { width: 16, height: 16, channels: 3, background: '#ff0000' } }).gif().toFile(gif);
  await assert.rejects(readImage(gif), { code: 'E_INPUT_INVALID', message: `${gif}: unsupported image format 'gif' (JPEG, PNG and WebP are supported)` });

  const tiny = path.join(dir, 'tiny.png');
  await sharp({ create: { width: 1, height: 1, channels: 3, background: '#ffffff' } }).png().toFile(tiny);
  await assert.rejects(readImage(tiny), { code: 'E_INPUT_INVALID', message: `${tiny}: the image is 1x1; the smallest that can be stylized is 8x8` });

  await assert.rejects(readImage(dir), { code: 'E_INPUT_INVALID' });
});
