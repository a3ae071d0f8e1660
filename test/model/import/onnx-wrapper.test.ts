/**
 * The ONNX wrapper on foreign-convention nets (foreign-onnx-net.ts) with the real ONNX Runtime: the
 * wrapped graph's uint8 output equals the original model run on correctly prepared float input
 * (reference-run.ts) within 1 grey level on ≥ 99.9% of the values, for every convention, on sizes
 * that are not multiples of anything; and bad models are refused with one line.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ort } from '../../../src/engine/onnx-runtime.js';
import { InputError } from '../../../src/errors.js';
import { wrapOnnxModel, type OnnxWrapOptions } from '../../../src/model/import/onnx-wrapper.js';
import { FOREIGN_INPUT, FOREIGN_OUTPUT, foreignNet, type ForeignNetOptions } from './foreign-onnx-net.js';
import { agreement, referenceRun, testImages } from './reference-run.js';

async function runWrapped(onnx: Uint8Array, images: Uint8Array, n: number, h: number, w: number): Promise<Uint8Array> {
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1 });
  try {
    assert.deepEqual([session.inputNames, session.outputNames], [['image'], ['stylized']]);
    const out = (await session.run({ image: new ort.Tensor('uint8', images, [n, h, w, 3]) }))['stylized']!;
    assert.deepEqual(out.dims, [n, h, w, 3]);
    return out.data as Uint8Array;
  } finally {
    await session.release();
  }
}

const cases: Array<{ name: string; net: ForeignNetOptions; wrap: OnnxWrapOptions; multiple: number; layout: 'NCHW' | 'NHWC'; size: [number, number] }> = [
  { name: 'NCHW [-1,1] multiple 4', net: { layout: 'NCHW', downsamples: 2 }, wrap: { multiple: 4 }, multiple: 4, layout: 'NCHW', size: [37, 50] },
  { name: 'NHWC [-1,1] multiple 8 (AnimeGANv3)', net: { layout: 'NHWC', downsamples: 3 }, wrap: { multiple: 8 }, multiple: 8, layout: 'NHWC', size: [45, 38] },
  { name: 'NCHW [0,1]', net: { range: [0, 1], downsamples: 1 }, wrap: { range: [0, 1], multiple: 2 }, multiple: 2, layout: 'NCHW', size: [33, 31] },
  { name: 'NHWC [0,255]', net: { layout: 'NHWC', range: [0, 255], downsamples: 1 }, wrap: { range: [0, 255], multiple: 2 }, multiple: 2, layout: 'NHWC', size: [30, 41] },
  { name: 'NHWC BGR (White-box)', net: { layout: 'NHWC', downsamples: 2 }, wrap: { channels: 'bgr', multiple: 4 }, multiple: 4, layout: 'NHWC', size: [27, 36] },
  { name: 'NCHW multiple of 16 (AnimeGANv3 tiny)', net: { downsamples: 4 }, wrap: { multiple: 16 }, multiple: 16, layout: 'NCHW', size: [40, 53] },
  { name: 'fixed batch 1, opset 13', net: { downsamples: 1, fixedBatch: true, opset: 13 }, wrap: { multiple: 2 }, multiple: 2, layout: 'NCHW', size: [21, 18] },
];

for (const c of cases) {
  void test(`wrapped ${c.name} equals the original on prepared input`, async () => {
    const original = foreignNet(c.net);
    const wrapped = wrapOnnxModel(original, { ...c.wrap, file: 'net.onnx' });
    assert.equal(wrapped.conventions.layout, c.layout);
    assert.equal(wrapped.conventions.inputName, FOREIGN_INPUT);
    assert.equal(wrapped.conventions.outputName, FOREIGN_OUTPUT);
    const [h, w] = c.size;
    const n = 2;
    const images = testImages(n, h, w);
    const got = await runWrapped(wrapped.onnx, images, n, h, w);
    const range = c.wrap.range ?? [-1, 1];
    const want = await referenceRun(original, images, n, h, w, { layout: c.layout, range, channels: c.wrap.channels ?? 'rgb', multiple: c.multiple, oneByOne: c.net.fixedBatch === true });
    const { within, maxDiff } = agreement(got, want);
    assert.ok(within >= 0.999, `${(within * 100).toFixed(3)}% within 1 grey level (max diff ${maxDiff})`);
    // Not a constant image: the net's output varies, so the comparison means something.
    assert.ok(new Set(got).size > 50, `only ${new Set(got).size} distinct values`);
  });
}

void test('a fixed 64×48 model is resized in and back out, and the channel order matters', async () => {
  const original = foreignNet({ fixedSize: [64, 48], downsamples: 2 });
  const wrapped = wrapOnnxModel(original);
  assert.deepEqual(wrapped.conventions.fixedSize, [64, 48]);
  const [n, h, w] = [2, 50, 70];
  const images = testImages(n, h, w);
  const got = await runWrapped(wrapped.onnx, images, n, h, w);
  const want = await referenceRun(original, images, n, h, w, { layout: 'NCHW', range: [-1, 1], channels: 'rgb', multiple: 1, fixedSize: [64, 48] });
  const { within, maxDiff } = agreement(got, want);
  assert.ok(within >= 0.999, `${(within * 100).toFixed(3)}% within 1 grey level (max diff ${maxDiff})`);
  // The same model wrapped as BGR gives a different picture: the option reaches the graph.
  const bgr = await runWrapped(wrapOnnxModel(original, { channels: 'bgr' }).onnx, images, n, h, w);
  assert.ok(agreement(bgr, got).within < 0.9);
});

void test('a minimum side enlarges small images for the model and shrinks the result back', async () => {
  const original = foreignNet({ downsamples: 1 });
  const wrapped = wrapOnnxModel(original, { multiple: 2, minSide: 64 });
  const [n, h, w] = [1, 20, 30];
  const images = testImages(n, h, w);
  const got = await runWrapped(wrapped.onnx, images, n, h, w);
  // Reference: enlarge to 64×96 (shorter side 64), run, shrink back — the fixed-size path with that size.
  const want = await referenceRun(original, images, n, h, w, { layout: 'NCHW', range: [-1, 1], channels: 'rgb', multiple: 1, fixedSize: [64, 96] });
  const { within, maxDiff } = agreement(got, want);
  assert.ok(within >= 0.999, `${(within * 100).toFixed(3)}% within 1 grey level (max diff ${maxDiff})`);
  // A large-enough image is not resized at all: same as the plain wrapper.
  const big = testImages(1, 70, 66);
  assert.deepEqual(await runWrapped(wrapped.onnx, big, 1, 70, 66), await runWrapped(wrapOnnxModel(original, { multiple: 2 }).onnx, big, 1, 70, 66));
});

void test('meta facts: parameters, cost estimate and how tiling treats the norms', () => {
  const wrapped = wrapOnnxModel(foreignNet({ downsamples: 1 }), { multiple: 2 });
  // c0 3·8·9+8, down0 8·8·9+8, up0 8·8·16+8, norm 16, c_out 8·3·9+3, in_gain 1
  assert.equal(wrapped.parameters, 216 + 8 + 576 + 8 + 1024 + 8 + 16 + 216 + 3 + 1);
  // At 256²: c0 and c_out at full size, down0 at 128², up0 per input pixel at 128².
  const macs = 256 * 256 * (3 * 8 * 9 + 8 * 3 * 9) + 128 * 128 * (8 * 8 * 9 + 8 * 8 * 16);
  assert.equal(wrapped.gmac256, Math.round(macs / 1e6) / 1000);
  // The shared-norm surgery writes Shape with `start` (opset 15) and ReduceMean with attribute axes
  // (before 18): other opsets run their norms in a Scan, and tiles blend plainly.
  assert.equal(wrapped.tiling, 'plain-overlap');
  assert.equal(wrapOnnxModel(foreignNet({ downsamples: 1, opset: 15 }), { multiple: 2 }).tiling, 'shared-norm');
  assert.equal(wrapOnnxModel(foreignNet({ downsamples: 1, opset: 18 }), { multiple: 2 }).tiling, 'plain-overlap');
});

void test('bad models are refused with one line naming the problem', () => {
  const refuse = (bytes: Uint8Array, pattern: RegExp, options: OnnxWrapOptions = {}) =>
    assert.throws(() => wrapOnnxModel(bytes, { file: 'x.onnx', ...options }), (err: unknown) => err instanceof InputError && pattern.test(err.message) && !err.message.includes('\n'));
  refuse(new TextEncoder().encode('hello, this is not a model at all'), /x\.onnx is not an ONNX model/);
  refuse(foreignNet({ classifier: true }), /not an image-to-image model: its output 'generator\/out:0' has shape \[\?,10\]/);
  refuse(foreignNet({ inChannels: 1 }), /has 1 channel \(NCHW\); only 3-channel/);
  refuse(foreignNet({ inChannels: 4, layout: 'NHWC' }), /has 4 channels \(NHWC\); only 3-channel/);
  refuse(foreignNet({ opset: 9 }), /opset 9; import needs opset 11/);
});
