import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Frame } from '../../src/frame.js';
import { coloursCovering, flatTexture, gaussianBlur, lookMetrics, objectBorders, outlinePresence, topMean } from '../../src/eval/look-metrics.js';
import type { LookMetrics } from '../../src/eval/look-metrics.js';
import { TRANSFORMS, animeCases, photoCases, syntheticCel, syntheticPhoto } from './look-cases.js';

type Case = keyof typeof TRANSFORMS;
const means = {} as Record<Case, LookMetrics>;
let source = '';

before(async () => {
  const photos = await photoCases();
  source = photos.source;
  for (const name of Object.keys(TRANSFORMS) as Case[]) {
    const rows: LookMetrics[] = [];
    for (const f of photos.frames) rows.push(lookMetrics(f, await TRANSFORMS[name](f)));
    const keys = Object.keys(rows[0]!) as (keyof LookMetrics)[];
    means[name] = Object.fromEntries(keys.map((k) => [k, rows.reduce((s, r) => s + r[k], 0) / rows.length])) as unknown as LookMetrics;
  }
});

/** The values, shown when an assertion fails. */
const table = (key: keyof LookMetrics): string => `${source} photos, ${key}: ` + (Object.keys(means) as Case[]).map((c) => `${c} ${means[c][key].toFixed(3)}`).join(', ');

void test('the case table (printed for the record)', (t) => {
  for (const key of ['meanChange', 'edgeCorrelationHalf', 'strongEdgeRatio', 'outlines', 'colourRatio90', 'flatTexture'] as const) t.diagnostic(table(key));
});

void test('mean change: 0 for the photo, clearly more for a blur, a softening and drawn lines', () => {
  const m = (c: Case): number => means[c].meanChange;
  assert.equal(m('photo'), 0);
  for (const c of ['blur', 'soften', 'lines'] as const) assert.ok(m(c) > 3, table('meanChange'));
  // Drawn lines move the picture more than the softening they are drawn on.
  assert.ok(m('lines') > m('soften') + 1, table('meanChange'));
});

void test('content kept: edge correlation at half size is 1 for the photo, lower but high for every filter', () => {
  const m = (c: Case): number => means[c].edgeCorrelationHalf;
  assert.ok(Math.abs(m('photo') - 1) < 1e-9, table('edgeCorrelationHalf'));
  for (const c of ['blur', 'soften', 'lines'] as const) assert.ok(m(c) < 0.98 && m(c) > 0.5, table('edgeCorrelationHalf'));
});

void test('strongest 5% edges: a blur < a softening < the photo < drawn lines', () => {
  const m = (c: Case): number => means[c].strongEdgeRatio;
  assert.equal(m('photo'), 1);
  assert.ok(m('blur') < 0.85, table('strongEdgeRatio'));
  assert.ok(m('blur') < m('soften') && m('soften') < 0.97, table('strongEdgeRatio'));
  assert.ok(m('lines') > 1.1, table('strongEdgeRatio'));
});

void test('outlines on the object borders: a blur and a softening score below the photo, drawn lines far above', () => {
  const m = (c: Case): number => means[c].outlines;
  assert.ok(m('blur') < 0.7 * m('photo'), table('outlines'));
  assert.ok(m('soften') < 0.8 * m('photo'), table('outlines'));
  assert.ok(m('lines') > m('photo') + 0.15 && m('lines') > 1.5 * m('photo'), table('outlines'));
  assert.equal(means.photo.inputOutlines, m('photo'));
});

void test('flat colour: every filter needs fewer 4-bit colours than the photo; texture left in flat regions drops', () => {
  const c90 = (c: Case): number => means[c].colourRatio90;
  assert.equal(c90('photo'), 1);
  for (const c of ['blur', 'soften', 'lines'] as const) assert.ok(c90(c) < 0.97, table('colourRatio90'));
  const tex = (c: Case): number => means[c].flatTexture;
  for (const c of ['blur', 'soften', 'lines'] as const) assert.ok(tex(c) < 0.5 * tex('photo'), table('flatTexture'));
  assert.ok(tex('photo') > 1.5, table('flatTexture'));
});

void test('a synthetic cel scores as anime on its own borders, a synthetic photo does not', () => {
  const cel = syntheticCel(5);
  const photo = syntheticPhoto(5);
  const celOutlines = outlinePresence(cel, cel);
  const photoOutlines = outlinePresence(photo, photo);
  assert.ok(celOutlines > 0.8, `cel outlines ${celOutlines}`);
  assert.ok(photoOutlines < 0.2, `photo outlines ${photoOutlines}`);
  assert.ok(coloursCovering(cel) < 0.5 * coloursCovering(photo), `${coloursCovering(cel)} vs ${coloursCovering(photo)}`);
  assert.ok(flatTexture(cel) < 0.1 && flatTexture(photo) > 3, `cel ${flatTexture(cel)}, photo ${flatTexture(photo)}`);
});

void test('real anime art is measured like any picture (its numbers are reported, not assumed)', async (t) => {
  const anime = await animeCases();
  const rows = anime.frames.map((f) => ({ outlines: outlinePresence(f, f), colours90: coloursCovering(f), flatTexture: flatTexture(f) }));
  for (const r of rows) {
    assert.ok(Number.isFinite(r.outlines) && r.outlines >= 0 && r.outlines <= 1, JSON.stringify(r));
    assert.ok(Number.isFinite(r.flatTexture) && r.colours90 >= 1, JSON.stringify(r));
  }
  const mean = (k: keyof (typeof rows)[0]): string => (rows.reduce((s, r) => s + r[k], 0) / rows.length).toFixed(3);
  t.diagnostic(`${anime.source} anime (${rows.length}): outlines ${mean('outlines')}, colours90 ${mean('colours90')}, flatTexture ${mean('flatTexture')}`);
});

void test('helpers: blur keeps a ramp, top mean, colour coverage, borders of a flat image', () => {
  const ramp = Float32Array.from({ length: 64 }, (_, i) => (i % 8) * 10);
  const blurred = gaussianBlur(ramp, 8, 8, 1);
  assert.ok(Math.abs(blurred[3 * 8 + 4]! - 40) < 1e-4, `ramp kept: ${blurred[3 * 8 + 4]}`);
  assert.equal(topMean(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 0.2), 9.5);
  // 95 pixels of one colour and 5 of another: one colour covers 90%.
  const data = new Uint8Array(100 * 3);
  for (let p = 95; p < 100; p++) data[p * 3] = 255;
  assert.equal(coloursCovering({ data }), 1);
  assert.equal(coloursCovering({ data }, 0.99), 2);
  const flat: Frame = { data: new Uint8Array(32 * 32 * 3).fill(128), width: 32, height: 32, pts: 0, index: 0 };
  assert.equal(objectBorders(flat).index.length, 0);
  assert.ok(Number.isNaN(outlinePresence(flat, flat)));
  assert.throws(() => lookMetrics(flat, { ...flat, width: 16, height: 64 }), RangeError);
});
