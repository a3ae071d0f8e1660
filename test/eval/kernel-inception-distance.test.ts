import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Frame } from '../../src/frame.js';
import { kernelInceptionDistance } from '../../src/eval/kernel-inception-distance.js';
import { StyleFeatureExtractor } from '../../src/eval/style-features.js';
import { TRANSFORMS, animeCases, photoCases } from './look-cases.js';

function gaussianSet(n: number, d: number, shift: number, seed: number): Float32Array[] {
  let s = seed;
  const rand = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const normal = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  return Array.from({ length: n }, () => Float32Array.from({ length: d }, () => normal() + shift));
}

void test('KID is about 0 for two samples of one distribution and grows with the difference', () => {
  const a = gaussianSet(40, 16, 0, 1);
  const b = gaussianSet(40, 16, 0, 2);
  const near = gaussianSet(40, 16, 0.3, 3);
  const far = gaussianSet(40, 16, 1, 4);
  const same = kernelInceptionDistance(a, b);
  assert.ok(Math.abs(same) < 0.05, `same distribution: ${same}`);
  const kNear = kernelInceptionDistance(a, near);
  const kFar = kernelInceptionDistance(a, far);
  assert.ok(kNear > 0.1 && kFar > 3 * kNear, `near ${kNear}, far ${kFar}`);
  // Symmetric.
  assert.ok(Math.abs(kernelInceptionDistance(far, a) - kFar) < 1e-9 * kFar);
  assert.throws(() => kernelInceptionDistance([a[0]!], b), RangeError);
  assert.throws(() => kernelInceptionDistance(a, [Float32Array.of(1), Float32Array.of(2)]), RangeError);
});

let style: StyleFeatureExtractor;
before(async () => {
  style = await StyleFeatureExtractor.create();
});
after(() => style.close());

void test('style distance on MobileNetV2 features: held-out anime far below photo, blur, softening and drawn lines', async (t) => {
  const anime = await animeCases();
  const photos = await photoCases();
  const feats = anime.frames.map((f) => style.features(f));
  // Split by image, so no picture is on both sides.
  const reference = feats.filter((_, i) => i % 2 === 0);
  const heldOut = feats.filter((_, i) => i % 2 === 1);
  const kid: Record<string, number> = { 'held-out anime': kernelInceptionDistance(heldOut, reference) };
  for (const [name, transform] of Object.entries(TRANSFORMS)) {
    const out: Frame[] = [];
    for (const f of photos.frames) out.push(await transform(f));
    kid[name] = kernelInceptionDistance(out.map((f) => style.features(f)), reference);
  }
  const shown = `${anime.source} anime, ${photos.source} photos, KID×10³: ` + Object.entries(kid).map(([k, v]) => `${k} ${(v * 1000).toFixed(1)}`).join(', ');
  t.diagnostic(shown);
  assert.equal(style.features(photos.frames[0]!).length, 2 * 384, 'mean and std of 384 channels');
  // Anime art is far nearer the anime set than any treatment of a photo.
  for (const name of Object.keys(TRANSFORMS)) assert.ok(kid['held-out anime']! < 0.5 * kid[name]!, `${name}: ${shown}`);
  if (photos.source === 'files') {
    // On real photographs a blur or a median is further from anime than the photo itself (their
    // features lose the crisp structure anime keeps). Not on the synthetic stand-ins: those are
    // flat shapes under noise, and removing the noise really does bring them nearer to flat cels.
    assert.ok(kid.blur! > kid.photo! && kid.soften! > kid.photo!, shown);
  }
});
