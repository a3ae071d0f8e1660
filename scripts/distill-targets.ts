/**
 * A photo dataset whose anime targets are a teacher model's outputs, for distilling one generator
 * into another with `japananime train --target anime` (the structure, gradient and content losses
 * then pull the student's output to the teacher's, crop for crop).
 *
 *   node --import tsx scripts/distill-targets.ts <teacher-model-dir> <photos-dataset> <out-dataset>
 *
 * Runs the teacher's model.onnx on every photo crop (photos/{train,val}/*.png) in ONNX Runtime and
 * writes photo_targets/{train,val}/<same name>.png beside a link to the crops. Used once, on
 * 2026-12-05, to move the default `fast` model to the norm-free architecture (see
 * scripts/fold-fast-norms.ts and models/default/meta.json).
 */
import { copyFile, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ort } from '../src/engine/onnx-runtime.js';
import { ONNX_FILE } from '../src/model/model-package.js';
import { onnxFingerprint } from '../src/model/quantize/int8-copy.js';
import { DATASET_SPLITS, MANIFEST_FILE, PHOTO_TARGETS_DIR, PHOTOS_DIR, TARGETS_FILE } from '../src/train/dataset/layout.js';

const [teacher, photos, out] = process.argv.slice(2);
if (!teacher || !photos || !out) {
  process.stderr.write('usage: scripts/distill-targets.ts <teacher-model-dir> <photos-dataset> <out-dataset>\n');
  process.exit(2);
}
const onnx = await readFile(path.join(teacher, ONNX_FILE));
const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 2 });
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await symlink(path.resolve(photos, PHOTOS_DIR), path.join(out, PHOTOS_DIR));
await copyFile(path.join(photos, MANIFEST_FILE), path.join(out, MANIFEST_FILE));
let n = 0;
for (const split of DATASET_SPLITS) {
  const from = path.join(photos, PHOTOS_DIR, split);
  const to = path.join(out, PHOTO_TARGETS_DIR, split);
  await mkdir(to, { recursive: true });
  for (const name of (await readdir(from)).filter((f) => f.endsWith('.png')).sort()) {
    const { data, info } = await sharp(path.join(from, name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const x = new ort.Tensor('uint8', new Uint8Array(data), [1, info.height, info.width, 3]);
    const y = (await session.run({ [session.inputNames[0]!]: x }))[session.outputNames[0]!]!;
    await sharp(Buffer.from(y.data as Uint8Array), { raw: { width: info.width, height: info.height, channels: 3 } }).png().toFile(path.join(to, name));
    n++;
  }
}
// The file the trainer looks for before it reads targets; it records where these came from.
await writeFile(path.join(out, PHOTO_TARGETS_DIR, TARGETS_FILE), JSON.stringify({ recipe: 'distilled', teacher: path.relative(process.cwd(), path.resolve(teacher)), teacherOnnxSha256: onnxFingerprint(onnx) }) + '\n');
await session.release();
process.stdout.write(`wrote ${n} teacher targets to ${path.join(out, PHOTO_TARGETS_DIR)}\n`);
