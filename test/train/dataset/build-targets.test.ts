import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { buildPhotoTargets } from '../../../src/train/dataset/build-targets.js';
import { PHOTO_TARGETS_DIR, TARGETS_FILE } from '../../../src/train/dataset/layout.js';
import { makeTinyDataset } from '../tiny-dataset.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'targets-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

void test('one target per photo crop, same size and id; a re-run writes nothing; other options rebuild', async () => {
  const root = await makeTinyDataset(path.join(dir, 'a'), { size: 32, count: 2, withAnime: false });
  const seen: number[] = [];
  const first = await buildPhotoTargets({ root, onProgress: (done, total) => seen.push(done / total) });
  assert.deepEqual({ written: first.written, kept: first.kept }, { written: 4, kept: 0 });
  assert.deepEqual(seen, [0.25, 0.5, 0.75, 1]);
  for (const split of ['train', 'val']) {
    const names = await readdir(path.join(root, PHOTO_TARGETS_DIR, split));
    assert.deepEqual(names.sort(), (await readdir(path.join(root, 'photos', split))).sort());
    const meta = await sharp(path.join(root, PHOTO_TARGETS_DIR, split, names[0]!)).metadata();
    assert.deepEqual([meta.width, meta.height, meta.channels], [32, 32, 3]);
  }
  // The target is not the photo: the filter changed it.
  const photo = await sharp(path.join(root, 'photos', 'train', 's00-f000000-c00.png')).raw().toBuffer();
  const target = await sharp(path.join(root, PHOTO_TARGETS_DIR, 'train', 's00-f000000-c00.png')).raw().toBuffer();
  let diff = 0;
  for (let i = 0; i < photo.length; i++) diff += Math.abs(photo[i]! - target[i]!);
  assert.ok(diff / photo.length > 3, `target too close to the photo (${diff / photo.length})`);
  const recorded = await readFile(path.join(root, PHOTO_TARGETS_DIR, TARGETS_FILE), 'utf8');
  const mtime = (await stat(path.join(root, PHOTO_TARGETS_DIR, 'train', 's00-f000000-c00.png'))).mtimeMs;
  const again = await buildPhotoTargets({ root });
  assert.deepEqual({ written: again.written, kept: again.kept }, { written: 0, kept: 4 });
  assert.equal((await stat(path.join(root, PHOTO_TARGETS_DIR, 'train', 's00-f000000-c00.png'))).mtimeMs, mtime);
  const other = await buildPhotoTargets({ root, target: { lineOpacity: 0 } });
  assert.equal(other.written, 4);
  assert.notEqual(await readFile(path.join(root, PHOTO_TARGETS_DIR, TARGETS_FILE), 'utf8'), recorded);
});

void test('no photo crops is a one-line error and writes nothing; an abort leaves no targets.json', async () => {
  const empty = path.join(dir, 'empty');
  await mkdir(path.join(empty, 'photos', 'train'), { recursive: true });
  await assert.rejects(buildPhotoTargets({ root: empty }), /no photo crops in .*photos .*dataset photos/);
  assert.equal(existsSync(path.join(empty, PHOTO_TARGETS_DIR)), false);
  const root = await makeTinyDataset(path.join(dir, 'b'), { size: 32, count: 2, withAnime: false });
  const controller = new AbortController();
  await assert.rejects(buildPhotoTargets({ root, signal: controller.signal, onProgress: (done) => done === 2 && controller.abort() }));
  assert.equal(existsSync(path.join(root, PHOTO_TARGETS_DIR, TARGETS_FILE)), false, 'an unfinished set must not look complete');
  // Resumed: the two written are kept.
  const resumed = await buildPhotoTargets({ root });
  assert.deepEqual({ written: resumed.written, kept: resumed.kept }, { written: 2, kept: 2 });
});
