/**
 * Where an fp32 package's int8 copy lives and whether it may stand in for it: the folder
 * `<package>-int8` beside it (what `japananime quantize models/default --out models/default-int8`
 * writes), used only when its meta.json says int8 and records the sha256 of exactly this fp32
 * model.onnx. A copy left over from an earlier model (the default retrained, the int8 copy not
 * remade) is never served in its place.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { META_FILE, ONNX_FILE, type ModelPrecision } from '../model-package.js';

/** Suffix of the int8 copy's folder name. */
export const INT8_COPY_SUFFIX = '-int8';

/** The package a server should open for a requested package folder. */
export interface PreferredModel {
  /** The folder to open: the int8 copy, or the requested one. */
  dir: string;
  precision: ModelPrecision;
  /** Why an existing `-int8` folder was not used (stale, unreadable); undefined when there is none or it was used. */
  skipped?: string;
}

/**
 * Whether a run may use an int8 copy at all: only ONNX Runtime's CPU provider has the int8 kernels
 * (on WebGPU or CUDA a QDQ graph would run dequantised, slower than the fp32 model), tfjs has none,
 * and `fp32` is the user's opt-out. The one place `stylize` and `serve` take this policy from.
 */
export function int8CopyApplies(run: { engine?: string | undefined; device?: string | undefined; fp32?: boolean | undefined }): boolean {
  return run.fp32 !== true && (run.engine ?? 'onnx') === 'onnx' && (run.device ?? 'cpu') === 'cpu';
}

/** The folder an int8 copy of `dir` is expected in. */
export function int8CopyDir(dir: string): string {
  return path.join(path.dirname(path.resolve(dir)), path.basename(path.resolve(dir)) + INT8_COPY_SUFFIX);
}

/** sha256 of a model.onnx, recorded in an int8 copy's meta.json so a stale copy can be told apart. */
export function onnxFingerprint(onnx: Uint8Array): string {
  return createHash('sha256').update(onnx).digest('hex');
}

/**
 * The int8 copy of `dir` when there is a current one, else `dir` itself. Synchronous and cheap (two
 * small reads and one hash of a few MB) so model resolution can call it where it resolves names.
 * A folder that is itself an int8 package is returned as it is.
 */
export function preferInt8Copy(dir: string): PreferredModel {
  const requested = path.resolve(dir);
  const readMeta = (d: string): { precision?: unknown; quantization?: { sourceOnnxSha256?: unknown } } | undefined => {
    try {
      return JSON.parse(readFileSync(path.join(d, META_FILE), 'utf8')) as { precision?: unknown; quantization?: { sourceOnnxSha256?: unknown } };
    } catch {
      return undefined;
    }
  };
  if (readMeta(requested)?.precision === 'int8') return { dir: requested, precision: 'int8' };
  const copy = int8CopyDir(requested);
  if (!existsSync(copy)) return { dir: requested, precision: 'fp32' };
  const meta = readMeta(copy);
  if (meta?.precision !== 'int8') return { dir: requested, precision: 'fp32', skipped: `${copy} is not an int8 package` };
  let current: string;
  try {
    current = onnxFingerprint(readFileSync(path.join(requested, ONNX_FILE)));
  } catch {
    return { dir: requested, precision: 'fp32' };
  }
  if (meta.quantization?.sourceOnnxSha256 !== current) {
    return { dir: requested, precision: 'fp32', skipped: `${copy} was made from another version of ${requested} (remake it with: japananime quantize ${requested} --out ${copy})` };
  }
  return { dir: copy, precision: 'int8' };
}
