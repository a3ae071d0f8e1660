/** The embedded sample (samples/sample.mp4, made by scripts/make-sample.sh) is what the issue asks for. */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { probeMedia } from '../../src/media/probe.js';
import { SAMPLES_DIR } from '../../src/project-paths.js';

void test('sample.mp4: 640x360 H.264 with AAC audio, 5–10 s, well under 5 MB, with attribution', async () => {
  const file = path.join(SAMPLES_DIR, 'sample.mp4');
  const info = await probeMedia(file);
  assert.equal(info.width, 640);
  assert.equal(info.height, 360);
  assert.equal(info.videoCodec, 'h264');
  assert.ok(info.duration >= 5 && info.duration <= 10, `duration ${info.duration}`);
  assert.equal(info.audio[0]?.codec, 'aac');
  assert.ok((await stat(file)).size < 2 * 1024 * 1024);
  const attribution = await readFile(path.join(SAMPLES_DIR, 'ATTRIBUTION.md'), 'utf8');
  for (const name of ['picosdeeuropa_by_Aitzol_Berasategi.jpg', 'seeding_by_Clements_Engelhardt.jpg', 'CC BY 4.0', 'CC0 1.0']) assert.ok(attribution.includes(name), name);
});
