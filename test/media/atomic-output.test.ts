/** Atomic output files (src/media/atomic-output.ts): temporary names, stale-file removal, rename or remove. */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { partialOwner, removeStalePartials, temporaryOutputPath, withAtomicOutput } from '../../src/media/atomic-output.js';
import { tempDir } from './make-clip.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
before(async () => {
  ({ dir, cleanup } = await tempDir());
});
after(async () => cleanup());

void test('temporaryOutputPath: hidden, same folder, unique', () => {
  const a = temporaryOutputPath('/videos/out/trip.mp4');
  const b = temporaryOutputPath('/videos/out/trip.mp4');
  assert.equal(path.dirname(a), '/videos/out');
  assert.match(path.basename(a), /^\.trip\.mp4\.\d+-[0-9a-f]{8}\.partial$/);
  assert.notEqual(a, b);
});

void test('partialOwner reads the process id of temporaryOutputPath names for that output only', () => {
  const name = path.basename(temporaryOutputPath('/videos/trip.mp4'));
  assert.equal(partialOwner(name, '/videos/trip.mp4'), process.pid);
  assert.equal(partialOwner('.trip.mp4.4242-0123abcd.partial', '/elsewhere/trip.mp4'), 4242);
  assert.equal(partialOwner('.trip.mp4.4242-0123abcd.partial', '/videos/trip2.mp4'), null);
  assert.equal(partialOwner('.trip.mp4.4242-0123abcd', '/videos/trip.mp4'), null);
  assert.equal(partialOwner('.trip.mp4.abc-0123abcd.partial', '/videos/trip.mp4'), null);
  assert.equal(partialOwner('trip.mp4', '/videos/trip.mp4'), null);
});

void test('removeStalePartials removes the temporary files of dead processes for that output, nothing else', async () => {
  const folder = path.join(dir, 'stale');
  await mkdir(folder);
  const output = path.join(folder, 'trip.mp4');
  const names = ['.trip.mp4.4242-0123abcd.partial', '.trip.mp4.5151-89abcdef.partial', `.trip.mp4.${process.pid}-00000000.partial`, '.other.mp4.4242-0123abcd.partial', 'trip.mp4', 'notes.txt'];
  for (const n of names) await writeFile(path.join(folder, n), 'x');
  // 5151 is alive (another conversion to the same name); 4242 is gone; this process is alive too.
  const removed = await removeStalePartials(output, (pid) => pid === 5151);
  assert.deepEqual(removed, [path.join(folder, '.trip.mp4.4242-0123abcd.partial')]);
  assert.deepEqual((await readdir(folder)).sort(), names.filter((n) => n !== '.trip.mp4.4242-0123abcd.partial').sort());
});

void test('withAtomicOutput: the file appears under its name only when write resolves; a failed write leaves nothing', async () => {
  const folder = path.join(dir, 'atomic');
  await mkdir(folder);
  const output = path.join(folder, 'clip.mp4');
  let seen: string[] = [];
  const value = await withAtomicOutput(output, async (temp) => {
    await writeFile(temp, 'done');
    seen = await readdir(folder);
    return 42;
  });
  assert.equal(value, 42);
  assert.equal(seen.length, 1);
  assert.match(seen[0]!, /^\.clip\.mp4\.\d+-[0-9a-f]{8}\.partial$/, 'written under the hidden temporary name');
  assert.deepEqual(await readdir(folder), ['clip.mp4']);
  assert.equal(await readFile(output, 'utf8'), 'done');

  await assert.rejects(
    withAtomicOutput(path.join(folder, 'broken.mp4'), async (temp) => {
      await writeFile(temp, 'half');
      throw new Error('encoder died');
    }),
    /encoder died/,
  );
  assert.deepEqual(await readdir(folder), ['clip.mp4'], 'the temporary file is removed, no output appears');
});

void test('withAtomicOutput reports the stale temporary files it removed before writing', async () => {
  const folder = path.join(dir, 'restart');
  await mkdir(folder);
  const output = path.join(folder, 'trip.mp4');
  // Process ids are below 2^22 on Linux: this one cannot be running.
  const stale = '.trip.mp4.99999999-0123abcd.partial';
  await writeFile(path.join(folder, stale), 'x');
  const reported: string[][] = [];
  await withAtomicOutput(output, async (temp) => writeFile(temp, 'y'), { onStaleRemoved: (files) => reported.push(files) });
  assert.deepEqual(reported, [[path.join(folder, stale)]]);
  assert.deepEqual(await readdir(folder), ['trip.mp4']);
});
