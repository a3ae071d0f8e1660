/**
 * Integration tests with real ffmpeg: a tiny generated "film" (lavfi scenes: bars, a black stretch,
 * a fractal, a letterboxed test pattern, a flat colour, the bars again, a cellular automaton) and a
 * folder of generated images, 64×64 crops.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, unlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { JapananimeError } from '../../../src/errors.js';
import { liveChildCount, runFfmpeg } from '../../../src/media/child-process.js';
import { buildFilmDataset, buildPhotoDataset } from '../../../src/train/dataset/build-dataset.js';
import { readImage } from '../../../src/train/dataset/image-files.js';
import { ANIME_DIR, ANIME_SMOOTH_DIR, PHOTOS_DIR, cropPath } from '../../../src/train/dataset/layout.js';
import { PROJECT_ROOT } from '../../../src/project-paths.js';

let dir: string;
let film: string;
let travel: string;

const scene = (src: string): string[] => ['-f', 'lavfi', '-i', src];

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'japananime-dataset-'));
  film = path.join(dir, 'film.mp4');
  await runFfmpeg([
    '-v', 'error', '-y',
    ...scene('smptebars=s=160x120:d=1:r=10'),
    ...scene('color=black:s=160x120:d=1:r=10'),
    ...scene('mandelbrot=s=160x120:r=10,trim=duration=1'),
    ...scene('testsrc=s=160x80:d=1:r=10,pad=160:120:0:20:black'),
    ...scene('color=0x4080c0:s=160x120:d=1:r=10'),
    ...scene('smptebars=s=160x120:d=1:r=10'),
    ...scene('cellauto=s=160x120:r=10:rule=110,trim=duration=1'),
    '-filter_complex', '[0][1][2][3][4][5][6]concat=n=7:v=1:a=0,format=yuv420p',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', film,
  ]);
  travel = path.join(dir, 'travel.mp4');
  await runFfmpeg(['-v', 'error', '-y', ...scene('testsrc2=s=128x96:d=3:r=10'), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', travel]);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FILM = { cropSize: 64, cropsPerFrame: 2, maxGap: 0, minSpacing: 0.3, valFraction: 0.3 } as const;

async function pngSize(file: string): Promise<string> {
  const m = await sharp(file).metadata();
  return `${m.width}x${m.height}`;
}

void test('film: key frames kept and dropped per reason, bars cut, crops and smoothed copies with the same ids', async () => {
  const out = path.join(dir, 'anime1');
  const r = await buildFilmDataset({ ...FILM, video: film, out });
  const c = r.manifest.counts;
  assert.equal(r.upToDate, false);
  assert.equal(r.manifest.kind, 'anime');
  assert.equal(r.manifest.cropSize, 64);
  assert.equal(c.candidates, 7, 'one key frame per scene');
  assert.equal(c.dropped.black, 1);
  assert.equal(c.dropped.uniform, 1);
  assert.equal(c.dropped.duplicate, 1);
  assert.equal(c.keptFrames, 4);
  assert.equal(c.letterboxed, 1);
  assert.equal(c.train + c.val, 8);
  assert.equal(r.manifest.frames.filter((f) => f.letterboxed).length, 1);
  const ids: string[] = [];
  for (const f of r.manifest.frames) {
    for (const id of f.crops) {
      ids.push(id);
      assert.equal(await pngSize(cropPath(out, ANIME_DIR, f.split, id)), '64x64');
      assert.equal(await pngSize(cropPath(out, ANIME_SMOOTH_DIR, f.split, id)), '64x64');
    }
  }
  assert.equal(new Set(ids).size, 8);
  const files = [...(await readdir(path.join(out, ANIME_DIR, 'train'))), ...(await readdir(path.join(out, ANIME_DIR, 'val')))];
  assert.equal(files.length, 8);
  assert.ok(files.every((f) => /^s00-f\d{6}-c\d{2}\.png$/.test(f)), files.join(','));
  // The letterboxed frame's crops come from inside the bars: no black rows.
  const boxed = r.manifest.frames.find((f) => f.letterboxed)!;
  const { data } = await sharp(cropPath(out, ANIME_DIR, boxed.split, boxed.crops[0]!)).raw().toBuffer({ resolveWithObject: true });
  let darkRows = 0;
  for (let y = 0; y < 64; y += 1) {
    let max = 0;
    for (let x = 0; x < 64 * 3; x += 1) max = Math.max(max, data[y * 64 * 3 + x]!);
    if (max < 30) darkRows += 1;
  }
  assert.ok(darkRows < 4, `${darkRows} dark rows in a letterboxed crop`);
});

void test('film: a re-run with the same options does nothing; other options rebuild without stale files; a partial run resumes', async () => {
  const out = path.join(dir, 'anime2');
  const first = await buildFilmDataset({ ...FILM, video: film, out });
  const f0 = first.manifest.frames[0]!;
  const file = cropPath(out, ANIME_DIR, f0.split, f0.crops[0]!);
  const mtime = (await stat(file)).mtimeMs;
  const again = await buildFilmDataset({ ...FILM, video: film, out });
  assert.equal(again.upToDate, true);
  assert.equal((await stat(file)).mtimeMs, mtime);

  // Interrupted run: manifest and one crop missing → the rest is reused.
  await unlink(path.join(out, 'manifest.json'));
  await unlink(cropPath(out, ANIME_SMOOTH_DIR, f0.split, f0.crops[1]!));
  const resumed = await buildFilmDataset({ ...FILM, video: film, out });
  assert.equal(resumed.upToDate, false);
  assert.equal(resumed.reusedCrops, 7);
  assert.equal(resumed.manifest.fingerprint, first.manifest.fingerprint);

  const fewer = await buildFilmDataset({ ...FILM, cropsPerFrame: 1, video: film, out });
  assert.equal(fewer.upToDate, false);
  assert.equal(fewer.reusedCrops, 0);
  const all = [...(await readdir(path.join(out, ANIME_DIR, 'train'))), ...(await readdir(path.join(out, ANIME_DIR, 'val')))];
  assert.equal(all.length, 4);
  assert.ok(all.every((f) => f.endsWith('-c00.png')), all.join(','));
});

void test('film: same seed, same crops; missing video, not a video, no usable frames → one-line errors', async () => {
  await assert.rejects(buildFilmDataset({ ...FILM, video: path.join(dir, 'nope.mp4'), out: path.join(dir, 'x') }), (e: unknown) => e instanceof JapananimeError && e.code === 'E_INPUT_MISSING');
  const text = path.join(dir, 'notes.mp4');
  await writeFile(text, 'not a video at all\n');
  await assert.rejects(buildFilmDataset({ ...FILM, video: text, out: path.join(dir, 'x') }), (e: unknown) => e instanceof JapananimeError && e.code === 'E_INPUT_INVALID');
  await assert.rejects(
    buildFilmDataset({ ...FILM, cropSize: 128, video: film, out: path.join(dir, 'big') }),
    (e: unknown) => e instanceof JapananimeError && e.code === 'E_DATASET_INVALID' && /no usable frames \(7 looked at: 1 black, 1 uniform, 5 too-small\)/.test(e.message) && !e.message.includes('\n'),
  );
  await assert.rejects(buildFilmDataset({ ...FILM, cropSize: 8, video: film, out: path.join(dir, 'x') }), (e: unknown) => e instanceof JapananimeError && e.code === 'E_USAGE');
  const a = await buildFilmDataset({ ...FILM, video: film, out: path.join(dir, 'seedA') });
  await buildFilmDataset({ ...FILM, video: film, out: path.join(dir, 'seedB') });
  const f = a.manifest.frames[1]!;
  const bufA = await sharp(cropPath(path.join(dir, 'seedA'), ANIME_DIR, f.split, f.crops[0]!)).raw().toBuffer();
  const bufB = await sharp(cropPath(path.join(dir, 'seedB'), ANIME_DIR, f.split, f.crops[0]!)).raw().toBuffer();
  assert.ok(bufA.equals(bufB));
});

async function makePhotoFolder(): Promise<string> {
  const photos = path.join(dir, 'photos');
  await mkdir(path.join(photos, 'sub'), { recursive: true });
  const noise = (w: number, h: number, seed: number): Buffer => {
    const b = Buffer.alloc(w * h * 3);
    for (let i = 0; i < b.length; i += 1) b[i] = (Math.sin(i * 0.37 + seed) * 80 + (i % (w * 3)) * 0.5 + seed * 40) & 255;
    return b;
  };
  await sharp(noise(100, 80, 1), { raw: { width: 100, height: 80, channels: 3 } }).png().toFile(path.join(photos, 'a.png'));
  // Stored 200x70, EXIF orientation 6 (rotate 90° clockwise to display): shows as 70x200.
  await sharp(noise(200, 70, 2), { raw: { width: 200, height: 70, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toFile(path.join(photos, 'sub', 'rotated.jpg'));
  await sharp(noise(90, 90, 3), { raw: { width: 90, height: 90, channels: 3 } }).webp().toFile(path.join(photos, 'sub', 'c.webp'));
  await sharp(noise(30, 30, 4), { raw: { width: 30, height: 30, channels: 3 } }).png().toFile(path.join(photos, 'tiny.png'));
  await writeFile(path.join(photos, 'broken.jpg'), Buffer.from('\xff\xd8\xff\xe0 definitely not a jpeg'));
  await writeFile(path.join(photos, 'readme.txt'), 'ignored');
  return photos;
}

void test('photos: image folders (EXIF applied, unreadable and too-small reported) and sampled video frames', async () => {
  const photos = await makePhotoFolder();
  const rotated = await readImage(path.join(photos, 'sub', 'rotated.jpg'), 0);
  assert.deepEqual([rotated.width, rotated.height], [70, 200]);

  const out = path.join(dir, 'photos-out');
  const r = await buildPhotoDataset({ inputs: [photos, travel], out, cropSize: 64, cropsPerFrame: 1, every: 1, valFraction: 0, dedupeThreshold: -1 });
  const c = r.manifest.counts;
  assert.equal(r.manifest.kind, 'photos');
  assert.equal(r.manifest.sources.length, 2);
  assert.equal(r.manifest.sources[0]!.frames, 5, 'five image files, the .txt ignored');
  assert.equal(r.manifest.sources[1]!.frames, 3, 'a 3 s video sampled every second');
  assert.equal(c.dropped.unreadable, 1);
  assert.equal(c.dropped['too-small'], 1);
  assert.equal(r.manifest.dropped.find((d) => d.reason === 'unreadable')!.label, 'broken.jpg');
  assert.equal(r.manifest.dropped.find((d) => d.reason === 'too-small')!.label, 'tiny.png');
  assert.equal(c.keptFrames, 6);
  assert.equal(c.train, 6);
  assert.equal(c.val, 0);
  assert.equal((await readdir(path.join(out, PHOTOS_DIR, 'train'))).length, 6);
  assert.deepEqual(await readdir(out).then((x) => x.sort()), ['manifest.json', 'photos']);

  const up = await buildPhotoDataset({ inputs: [photos, travel], out: path.join(dir, 'photos-up'), cropSize: 64, cropsPerFrame: 1, every: 1, upscaleSmall: true, dedupeThreshold: -1 });
  assert.equal(up.manifest.counts.dropped['too-small'], 0);
  assert.equal(up.manifest.counts.keptFrames, 7);
  // An anime folder cannot be reused for photos.
  await buildFilmDataset({ ...FILM, video: film, out: path.join(dir, 'mixed') });
  await assert.rejects(buildPhotoDataset({ inputs: [photos], out: path.join(dir, 'mixed'), cropSize: 64 }), (e: unknown) => e instanceof JapananimeError && e.code === 'E_OUTPUT_INVALID');
});

void test('film: cancelling stops ffmpeg, leaves no child, and a re-run finishes the job', async () => {
  const out = path.join(dir, 'cancelled');
  const controller = new AbortController();
  await assert.rejects(
    buildFilmDataset({ ...FILM, video: film, out, signal: controller.signal, onProgress: (p) => p.done === 2 && controller.abort() }),
    (e: unknown) => e instanceof JapananimeError && e.code === 'E_ABORTED',
  );
  assert.equal(liveChildCount(), 0);
  await assert.rejects(stat(path.join(out, 'manifest.json')));
  const r = await buildFilmDataset({ ...FILM, video: film, out });
  assert.ok(r.reusedCrops >= 2, `reused ${r.reusedCrops}`);
  assert.equal(r.manifest.counts.train + r.manifest.counts.val, 8);
});

const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/cli/bin.ts'), ...args], { cwd: PROJECT_ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

void test('CLI: summary lines with counts per reason, --json summary, one-line errors with exit 1', async () => {
  const out = path.join(dir, 'cli-anime');
  const human = await cli(['dataset', 'film', film, '--out', out, '--crop', '64', '--crops-per-frame', '2', '--max-gap', '0', '--min-spacing', '0.3']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /4 of 7 frames kept → 8 crops of 64px \(\+ 8 edge-smoothed copies\)/);
  assert.match(human.stdout, /dropped: black 1, uniform 1, duplicate 1; letterbox bars cut off 1 frame/);
  const json = await cli(['dataset', 'film', film, '--out', out, '--crop', '64', '--crops-per-frame', '2', '--max-gap', '0', '--min-spacing', '0.3', '--json']);
  const summary = JSON.parse(json.stdout.trim().split('\n').pop()!) as { type: string; upToDate: boolean; counts: { keptFrames: number } };
  assert.equal(summary.type, 'summary');
  assert.equal(summary.upToDate, true);
  assert.equal(summary.counts.keptFrames, 4);
  const missing = await cli(['dataset', 'photos', path.join(dir, 'nowhere'), '--out', path.join(dir, 'p')]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  assert.match(missing.stderr, /nowhere does not exist/);
  const bad = await cli(['dataset', 'film', film, '--out', out, '--crop', 'big']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--crop must be a number/);
});
