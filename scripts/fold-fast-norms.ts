/**
 * Moves a `fast` package trained with instance norms in its context path (the architecture before
 * 2026-12-05 23:00) to today's norm-free `fast`: each norm's per-channel statistics, averaged over
 * real images, are folded into the conv before it, so that the new network starts as close to the
 * old as fixed statistics allow. Distilling then closes the rest (scripts/distill-targets.ts, then
 * `japananime train --init <this package> --target anime` on the teacher's targets).
 *
 *   node --import tsx scripts/fold-fast-norms.ts <old-package> <image-folder> <out-package>
 *
 * For a norm y = γ·(x − μ)/σ + β after a conv x = W∗in + b, with μ and σ the channel's mean and
 * standard deviation over an image, averaged over the images: W' = W·γ/σ, b' = (b − μ)·γ/σ + β.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ort } from '../src/engine/onnx-runtime.js';
import { INSTANCE_NORM_EPSILON } from '../src/model/instance-norm.js';
import { META_FILE, ONNX_FILE, saveModelPackage, TFJS_DIR, TFJS_MANIFEST_FILE, TFJS_WEIGHTS_FILE, type ModelMeta } from '../src/model/model-package.js';
import { deserializeParams, type ParamSet } from '../src/model/params.js';
import { decodeModel, withIntermediateOutputs } from '../src/model/quantize/qdq-graph.js';
import { getArchitecture } from '../src/model/spec.js';

const [oldDir, images, out] = process.argv.slice(2);
if (!oldDir || !images || !out) {
  process.stderr.write('usage: scripts/fold-fast-norms.ts <old-package> <image-folder> <out-package>\n');
  process.exit(2);
}
const meta = JSON.parse(await readFile(path.join(oldDir, META_FILE), 'utf8')) as ModelMeta;
if (meta.architecture !== 'fast') throw new Error(`${oldDir} is a ${meta.architecture} package, not fast`);
// Read without loadModelPackage: its check against today's `fast` spec (no norms) would refuse them.
const params: ParamSet = deserializeParams(JSON.parse(await readFile(path.join(oldDir, TFJS_DIR, TFJS_MANIFEST_FILE), 'utf8')), new Uint8Array(await readFile(path.join(oldDir, TFJS_DIR, TFJS_WEIGHTS_FILE))));
const onnx = new Uint8Array(await readFile(path.join(oldDir, ONNX_FILE)));

// Each InstanceNormalization of the old graph: its input (the conv's output) and its parameter names.
const norms = (decodeModel(onnx).graph?.node ?? [])
  .filter((n) => n.opType === 'InstanceNormalization')
  .map((n) => ({ input: n.input![0]!, name: n.input![1]!.replace(/\/scale$/, '') }));
if (norms.length === 0) throw new Error(`${oldDir}: no instance norm to fold (already norm-free?)`);

// Per image and channel: mean and standard deviation of each norm's input (NCHW in the graph).
const session = await ort.InferenceSession.create(withIntermediateOutputs(onnx, norms.map((n) => n.input)), { intraOpNumThreads: 2 });
const sums = norms.map(() => ({ mean: [] as number[], std: [] as number[], images: 0 }));
const files = (await readdir(images)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
for (const file of files) {
  const { data, info } = await sharp(path.join(images, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const outputs = await session.run({ [session.inputNames[0]!]: new ort.Tensor('uint8', new Uint8Array(data), [1, info.height, info.width, 3]) });
  norms.forEach((n, k) => {
    const t = outputs[n.input]!;
    const [, c, h, w] = t.dims as [number, number, number, number];
    const v = t.data as Float32Array;
    const acc = sums[k]!;
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      let s2 = 0;
      for (let i = ch * h * w; i < (ch + 1) * h * w; i++) {
        s += v[i]!;
        s2 += v[i]! * v[i]!;
      }
      const mean = s / (h * w);
      acc.mean[ch] = (acc.mean[ch] ?? 0) + mean;
      acc.std[ch] = (acc.std[ch] ?? 0) + Math.sqrt(Math.max(s2 / (h * w) - mean * mean, 0) + INSTANCE_NORM_EPSILON);
    }
    acc.images++;
  });
}
await session.release();

// Fold into the conv before each norm: 'X/norm' follows 'X/conv', 'resI/normK' follows 'resI/convK'.
const folded: ParamSet = new Map([...params].filter(([name]) => !norms.some((n) => name.startsWith(`${n.name}/`))));
norms.forEach((n, k) => {
  const convName = n.name.replace(/\/norm(\d*)$/, '/conv$1');
  const kernel = params.get(`${convName}/kernel`);
  const bias = params.get(`${convName}/bias`);
  const gamma = params.get(`${n.name}/scale`)!.data;
  const beta = params.get(`${n.name}/bias`)!.data;
  if (!kernel || !bias) throw new Error(`no conv ${convName} before ${n.name}`);
  const cout = bias.data.length;
  const acc = sums[k]!;
  const kData = Float32Array.from(kernel.data);
  const bData = new Float32Array(cout);
  for (let c = 0; c < cout; c++) {
    const mean = acc.mean[c]! / acc.images;
    const std = acc.std[c]! / acc.images;
    const a = gamma[c]! / std;
    for (let i = c; i < kData.length; i += cout) kData[i]! *= a; // tfjs kernels are [k, k, cin, cout]
    bData[c] = (bias.data[c]! - mean) * a + beta[c]!;
  }
  folded.set(`${convName}/kernel`, { shape: kernel.shape, data: kData });
  folded.set(`${convName}/bias`, { shape: bias.shape, data: bData });
});

const spec = getArchitecture('fast');
const training = { ...meta.training, foldedNorms: { from: path.relative(process.cwd(), path.resolve(oldDir)), images: files.length, norms: norms.map((n) => n.name), tool: 'scripts/fold-fast-norms.ts' } };
await saveModelPackage(out, { spec, params: folded, meta: { training, license: meta.license, description: meta.description ?? '' } }, { documentsFrom: oldDir });
process.stdout.write(`folded ${norms.length} norms (statistics of ${files.length} images) into ${out}\n`);
