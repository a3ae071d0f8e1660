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

/** A copy with +6 levels (clamped) right of each of the given columns, cumulatively: a hard tone seam. */
function withSteps(data: Uint8Array, columns: number[]): Uint8Array {
  const out = new Uint8Array(data);
  for (let y = 0; y < H; y += 1) {
    for (let x = 0; x < W; x += 1) {
      const up = 6 * columns.filter((c) => x >= c).length;
      for (let k = 0; k < 3; k += 1) out[(y * W + x) * 3 + k] = Math.min(255, data[(y * W + x) * 3 + k]! + up);
    }
  }
  return out;
}

test('a model without instance norms (today\'s fast) is tiled without tone matching and matches the untiled run', async () => {
  const normFree = randomPackage(slimFastSpec(4, 1, false));
  const w = 2200;
  const h = 1400;
  const frame = { data: syntheticPhoto(w, h), width: w, height: h, pts: 0, index: 0 };
  const whole = await createStylizer({ model: normFree });
  const tiled = await createTiledStylizer({ model: normFree, tile: 1024 });
  try {
    const [a] = await whole.run([frame]);
    const [b] = await tiled.run([frame]);
    assert.ok(tiled.plan(w, h).tiles.length > 1);
    const diff = meanAbsDiff(a!.data, b!.data, w, h, 1);
    // Tone matching toward a downscaled run moved a norm-free model's tiles by ~1.6 levels.
    assert.ok(diff < 0.3, `tiled vs untiled: mean ${diff} grey levels`);
  } finally {
    await whole.close();
    await tiled.close();
  }
});

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

  // Negative control: the same tiles, each normalised with its own statistics, cut without a ramp.
  const alone = new TiledStylizer(untiledModel, { tile: 1024, tone: 'none', ramp: 0, closeInner: false });
  const [separate] = await alone.run([{ data: source.data, width: W, height: H, pts: 0, index: 0 }]);

  const shared = { all: meanAbsDiff(styled.data, whole!.data, W, H, 32), tone: toneDiff(styled.data, whole!.data) };
  const own = { all: meanAbsDiff(separate!.data, whole!.data, W, H, 32), tone: toneDiff(separate!.data, whole!.data) };
  const plan = tiled.plan(W, H);
  // Gradients of 64-row (64-column) band means: the random model's pixel texture averages out, a tone step would not.
  const grad = (d: Uint8Array, axis: 'x' | 'y'): Float64Array => gradientProfile(d, W, H, axis, 64);
  const steps = {
    tiledX: boundaryStepRatio(grad(styled.data, 'x'), planBoundaries(plan.cols)),
    tiledY: boundaryStepRatio(grad(styled.data, 'y'), planBoundaries(plan.rows)),
    untiledX: boundaryStepRatio(grad(whole!.data, 'x'), planBoundaries(plan.cols)),
    untiledY: boundaryStepRatio(grad(whole!.data, 'y'), planBoundaries(plan.rows)),
    aloneX: boundaryStepRatio(grad(separate!.data, 'x'), planBoundaries(alone.plan(W, H).cols)),
    aloneY: boundaryStepRatio(grad(separate!.data, 'y'), planBoundaries(alone.plan(W, H).rows)),
    // Control: the tiled output with a tone step of 6 levels added at each column cut.
    steppedX: boundaryStepRatio(grad(withSteps(styled.data, alone.plan(W, H).cols.ramps.map((r) => r.from)), 'x'), planBoundaries(alone.plan(W, H).cols)),
  };
  console.log(JSON.stringify({ shared, own, steps }));
  assert.equal(plan.tiles.length, 12);
  // Tone: within a few levels of the untiled run, and much closer than tiles normalised alone.
  // (Under 1 level before fast got its Kuwahara surface; 2.1 since: the surface works at a fixed pixel
  // scale, so the statistics measured on the downscaled frame differ more from the full-size ones.)
  assert.ok(shared.tone < 3, `tone difference ${shared.tone}`);
  assert.ok(shared.tone < own.tone / 2, `shared ${shared.tone} vs own ${own.tone}`);
  assert.ok(shared.all < own.all * 0.85, `pixel difference shared ${shared.all} vs own ${own.all}`);
  // No step: the gradient across tile boundaries is what the untiled image has at the same places.
  // A seam raises the ratio; the blend ramp may lower it below the untiled image's. (The untiled
  // image's own ratio at these places is the metric's noise: 0.95–0.98 before fast's Kuwahara
  // surface and ink, 1.13–1.16 with them, whose edges fall where they fall.)
  assert.ok(steps.tiledX < steps.untiledX + 0.12 && steps.tiledY < steps.untiledY + 0.12, JSON.stringify(steps));
  assert.ok(steps.tiledX < 1.25 && steps.tiledY < 1.25, JSON.stringify(steps));
  // The metric does see a seam of a few levels in this texture.
  assert.ok(steps.steppedX > 1.3, JSON.stringify(steps));
  assert.deepEqual((await readdir(dir)).sort(), ['big-anime.png', 'big.png']);
});
