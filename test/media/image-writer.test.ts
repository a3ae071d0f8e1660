import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { readImage, readImageInfo } from '../../src/media/image-reader.js';
import { formatFromExtension, writeImage } from '../../src/media/image-writer.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'image-writer-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function solid(w: number, h: number, rgb: [number, number, number]): Uint8Array {
  const d = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i += 1) d.set(rgb, i * 3);
  return d;
}

test('formatFromExtension', () => {
  assert.equal(formatFromExtension('a/b.JPG'), 'jpeg');
  assert.equal(formatFromExtension('b.jpeg'), 'jpeg');
  assert.equal(formatFromExtension('b.png'), 'png');
  assert.equal(formatFromExtension('b.webp'), 'webp');
  assert.equal(formatFromExtension('b.gif'), undefined);
  assert.equal(formatFromExtension('noext'), undefined);
});

test('the format follows the extension; nothing but the output is left in the folder', async () => {
  for (const ext of ['jpg', 'png', 'webp']) {
    const file = path.join(dir, `plain.${ext}`);
    await writeImage(file, { data: solid(24, 16, [200, 100, 50]), width: 24, height: 16 });
    const info = await readImageInfo(file);
    assert.equal(info.format, ext === 'jpg' ? 'jpeg' : ext);
    const back = await readImage(file);
    assert.deepEqual([back.width, back.height], [24, 16]);
    for (let k = 0; k < 3; k += 1) assert.ok(Math.abs(back.data[k]! - [200, 100, 50][k]!) <= 4);
  }
  assert.deepEqual((await readdir(dir)).sort(), ['plain.jpg', 'plain.png', 'plain.webp']);
});

test('EXIF and the ICC profile of the source are carried over; orientation becomes 1; colours stay right', async () => {
  const source = path.join(dir, 'source.jpg');
  const raw = Buffer.from(solid(40, 20, [100, 150, 200]));
  await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } })
    .withIccProfile('p3')
    .withExif({ IFD0: { Artist: 'Travel Tester', Copyright: 'CC-BY' } })
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 100 })
    .toFile(source);
  const src = await readImage(source);
  assert.deepEqual([src.width, src.height], [20, 40]);
  for (const ext of ['jpg', 'webp', 'png']) {
    const out = path.join(dir, `meta.${ext}`);
    await writeImage(out, { data: solid(20, 40, [100, 150, 200]), width: 20, height: 40 }, { metadataFrom: source, icc: src.icc });
    const meta = await sharp(out).metadata();
    assert.deepEqual([meta.width, meta.height], [20, 40], ext);
    assert.ok((meta.orientation ?? 1) === 1, `${ext}: orientation ${meta.orientation}`);
    assert.ok(meta.exif?.toString('latin1').includes('Travel Tester'), `${ext}: EXIF kept`);
    assert.ok(meta.icc?.equals(src.icc!), `${ext}: ICC kept`);
    const back = await readImage(out);
    for (let k = 0; k < 3; k += 1) assert.ok(Math.abs(back.data[k]! - [100, 150, 200][k]!) <= 4, `${ext}: colour ${Array.from(back.data.subarray(0, 3))}`);
  }
});

test('alpha is kept for PNG and WebP, dropped for JPEG', async () => {
  const alpha = new Uint8Array(16 * 16).map((_, i) => i % 256);
  await writeImage(path.join(dir, 'a.png'), { data: solid(16, 16, [1, 2, 3]), width: 16, height: 16, alpha });
  await writeImage(path.join(dir, 'a.jpg'), { data: solid(16, 16, [1, 2, 3]), width: 16, height: 16, alpha });
  const png = await readImage(path.join(dir, 'a.png'));
  assert.equal(png.alpha?.[77], 77);
  assert.equal((await sharp(path.join(dir, 'a.jpg')).metadata()).channels, 3);
});

test('bad outputs: unknown extension, a file where the folder should be; nothing half-written', async () => {
  const img = { data: solid(16, 16, [0, 0, 0]), width: 16, height: 16 };
  await assert.rejects(writeImage(path.join(dir, 'x.gif'), img), { code: 'E_OUTPUT_INVALID', message: `${path.join(dir, 'x.gif')}: unknown output extension '.gif' (use .jpg, .jpeg, .png or .webp)` });
  const blocker = path.join(dir, 'blocker');
  await writeFile(blocker, 'x');
  await assert.rejects(writeImage(path.join(blocker, 'y.png'), img), { code: 'E_OUTPUT_INVALID', message: `${blocker} is a file, not a folder` });
  // Pixels that do not match the size: sharp fails, the temp file is removed.
  const sub = path.join(dir, 'sub');
  await assert.rejects(writeImage(path.join(sub, 'z.png'), { data: new Uint8Array(10), width: 16, height: 16 }), { code: 'E_OUTPUT_INVALID' });
  assert.deepEqual(await readdir(sub), []);
});
