/**
 * A 3000×2000 photo through stylizeImages with the real ONNX Runtime engine, tiled at 1024 (4×3
 * tiles), against the same model run on the whole image at once. The model is a slim random-weight
 * `fast` generator (same layers and instance norms, ¼ of the channels) so the untiled run fits a
 * test's time on a shared CPU; random weights make the instance-norm problem at least as hard as
 * trained ones (their texture depends strongly on the statistics).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createStylizer } from '../../../src/engine/create-stylizer.js';
import type { Stylizer } from '../../../src/engine/stylizer.js';
import { createTiledStylizer, TiledStylizer } from '../../../src/engine/tiled-stylizer.js';
import { resizeArea } from '../../../src/engine/tiling/resize-area.js';
import { boundaryStepRatio, gradientProfile, meanAbsDiff, planBoundaries } from '../../../src/engine/tiling/seam-metrics.js';
import { readImage } from '../../../src/media/image-reader.js';
import { stylizeImages } from '../../../src/pipeline/image/stylize-images.js';
import { randomPackage, slimFastSpec } from '../../engine/tiling/random-fast-package.js';
import { syntheticPhoto } from '../../engine/tiling/synthetic-photo.js';

const W = 3000;
const H = 2000;
let dir: string;
let untiledModel: Stylizer;
const pkg = randomPackage(slimFastSpec());

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'large-image-'));
  untiledModel = await createStylizer({ model: pkg });
});
after(async () => {
  await untiledModel.close();
  await rm(dir, { recursive: true, force: true });
});

/** Mean |a − b| of 32×-area-downscaled copies: the tone (low frequencies) only. */
function toneDiff(a: Uint8Array, b: Uint8Array): number {
  const w = W / 40;
  const h = H / 40;
  return meanAbsDiff(resizeArea(a, W, H, w, h), resizeArea(b, W, H, w, h), w, h, 1);
}

test('3000x2000 tiled with shared instance-norm statistics: close to untiled, no step at tile boundaries', async () => {
  const input = path.join(dir, 'big.png');
  const output = path.join(dir, 'big-anime.png');
  await sharp(Buffer.from(syntheticPhoto(W, H)), { raw: { width: W, height: H, channels: 3 } }).png({ compressionLevel: 1 }).toFile(input);
  const tiled = await createTiledStylizer({ model: pkg, tile: 1024 });
  try {
    const result = await stylizeImages({ input, output, stylizer: tiled, onProgress: () => undefined });
    assert.deepEqual(result.written, [output]);
  } finally {
    await tiled.close();
  }
  const source = await readImage(input);
  const styled = await readImage(output);
  assert.deepEqual([styled.width, styled.height], [W, H]);
  const [whole] = await untiledModel.run([{ data: source.data, width: W, height: H, pts: 0, index: 0 }]);

  // Negative control: the same tiles, each normalised with its own statistics.
  const alone = new TiledStylizer(untiledModel, { tile: 1024, tone: 'none', closeInner: false });
  const [separate] = await alone.run([{ data: source.data, width: W, height: H, pts: 0, index: 0 }]);

  const shared = { all: meanAbsDiff(styled.data, whole!.data, W, H, 32), tone: toneDiff(styled.data, whole!.data) };
  const own = { all: meanAbsDiff(separate!.data, whole!.data, W, H, 32), tone: toneDiff(separate!.data, whole!.data) };
  const plan = tiled.plan(W, H);
  const steps = {
    tiledX: boundaryStepRatio(gradientProfile(styled.data, W, H, 'x'), planBoundaries(plan.cols)),
    tiledY: boundaryStepRatio(gradientProfile(styled.data, W, H, 'y'), planBoundaries(plan.rows)),
    untiledX: boundaryStepRatio(gradientProfile(whole!.data, W, H, 'x'), planBoundaries(plan.cols)),
    untiledY: boundaryStepRatio(gradientProfile(whole!.data, W, H, 'y'), planBoundaries(plan.rows)),
  };
  console.log(JSON.stringify({ shared, own, steps }));
  assert.equal(plan.tiles.length, 12);
  // Tone: within a few levels of the untiled run, and much closer than tiles normalised alone.
  assert.ok(shared.tone < 3, `tone difference ${shared.tone}`);
  assert.ok(shared.tone < own.tone / 2, `shared ${shared.tone} vs own ${own.tone}`);
  assert.ok(shared.all < own.all * 0.85, `pixel difference shared ${shared.all} vs own ${own.all}`);
  // No step: the gradient across tile boundaries is what the untiled image has at the same places.
  assert.ok(Math.abs(steps.tiledX - steps.untiledX) < 0.05 && Math.abs(steps.tiledY - steps.untiledY) < 0.05, JSON.stringify(steps));
  assert.ok(steps.tiledX < 1.1 && steps.tiledY < 1.1);
  assert.deepEqual((await readdir(dir)).sort(), ['big-anime.png', 'big.png']);
});
