/**
 * `japananime import`: turns a community model into a model package. Three kinds of source, told
 * apart by their bytes, not their names: an ONNX image-to-image model (onnx-wrapper.ts), the seed's
 * Keras HDF5 generator weights (keras-seed.ts) and a TensorFlow.js graph model (tfjs-graph.ts).
 * Every check runs before anything is written, and the package appears only when complete.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, OptionError, throwIfAborted } from '../../errors.js';
import { HDF5_SIGNATURE } from '../hdf5-file.js';
import type { AnyModelPackage } from '../model-package.js';
import type { ImageLayout } from './image-model-signature.js';
import { wrapOnnxModel, type ChannelOrder } from './onnx-wrapper.js';
import { checkImportTarget, importedOnnxPackage, writeImportedPackage, type ImportRecord } from './package-writer.js';

export type ImportKind = 'onnx' | 'keras-h5' | 'tfjs-graph';

/** Printed by the CLI after every import: the licence is the user's to get right. */
export const LICENCE_REMINDER =
  'most public anime-style weights (AnimeGAN, CartoonGAN, White-box) are licensed for non-commercial use only; check the licence of yours before using its output commercially';

export interface ImportModelOptions {
  /** The model file (.onnx, .h5) or a tfjs graph model's model.json or its folder. Required. */
  source: string;
  /** The package folder to write. Required. */
  out: string;
  /** Licence of the weights as the user states it (SPDX id or text). Required. */
  license: string;
  /** Replace an existing `out`. Default: false. */
  force?: boolean;
  /** ONNX: the model's layout. Default: read from its input shape. */
  layout?: ImageLayout;
  /** ONNX and tfjs: the model's value range. Default: [-1, 1]. */
  range?: [number, number];
  /** ONNX and tfjs: channel order. Default: 'rgb'. */
  channels?: ChannelOrder;
  /** ONNX and tfjs: H and W must be multiples of this. Default: 1. */
  multiple?: number;
  /** ONNX and tfjs: shorter sides below this are enlarged for the model. Default: 0 (never). */
  minSide?: number;
  /** One-line description for meta.json. Default: "imported <kind> model <file>". */
  description?: string;
  /**
   * Runs the finished package once before it is written (the CLI passes an ONNX Runtime check, which
   * src/model may not import). A throw aborts the import with nothing written. Default: none.
   */
  check?: (pkg: AnyModelPackage) => Promise<void>;
  /** Checked between the steps. Default: none. */
  signal?: AbortSignal;
}

/** The file a source names: a tfjs model folder means its model.json. */
export function sourceFile(source: string): string {
  return existsSync(path.join(source, 'model.json')) ? path.join(source, 'model.json') : source;
}

/** Which kind a source is, from its first bytes: HDF5 signature, a JSON object, or else ONNX protobuf. */
export async function detectImportKind(file: string): Promise<ImportKind> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, 64, 0);
    if (bytesRead >= 8 && head.subarray(0, 8).equals(HDF5_SIGNATURE)) return 'keras-h5';
    if (head.subarray(0, bytesRead).toString('utf8').trimStart().startsWith('{')) return 'tfjs-graph';
    return 'onnx';
  } finally {
    await handle.close();
  }
}

/** Checks the options that need no file. */
function checkOptions(o: ImportModelOptions): void {
  if (!o.license || !o.license.trim()) throw new OptionError('import needs {license} <licence of the weights> (e.g. "CC-BY-NC-4.0" or "MIT"); it is written into meta.json');
  if (o.range && !(o.range[1] > o.range[0])) throw new OptionError(`{range} must be low,high with low < high, not ${o.range.join(',')}`);
  if (o.multiple !== undefined && !(Number.isInteger(o.multiple) && o.multiple >= 1)) throw new OptionError(`{multiple} must be a positive integer, not ${o.multiple}`);
  if (o.minSide !== undefined && !(Number.isInteger(o.minSide) && o.minSide >= 0)) throw new OptionError(`{minSide} must be a whole number ≥ 0, not ${o.minSide}`);
}

/** Imports a model and writes its package; returns it (with `dir` set). */
export async function importModel(options: ImportModelOptions): Promise<AnyModelPackage> {
  checkOptions(options);
  const file = sourceFile(options.source);
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new InputError('E_INPUT_MISSING', `model file not found: ${options.source}`, err);
  }
  if (!info.isFile()) throw new InputError('E_INPUT_INVALID', `${options.source} is not a model file (nor a folder with a tfjs model.json)`);
  checkImportTarget(options.out, options.force ?? false);
  const kind = await detectImportKind(file);
  const bytes = await readFile(file);
  const name = path.basename(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const record = (conventions: Record<string, unknown>): ImportRecord => ({
    source: { file: name, sha256, kind, conventions },
    license: options.license.trim(),
    ...(options.description !== undefined && { description: options.description }),
  });
  const onnxOptions = {
    file: name,
    ...(options.layout && { layout: options.layout }),
    ...(options.range && { range: options.range }),
    ...(options.channels && { channels: options.channels }),
    ...(options.multiple !== undefined && { multiple: options.multiple }),
    ...(options.minSide !== undefined && { minSide: options.minSide }),
  };
  let pkg: AnyModelPackage;
  if (kind === 'onnx') {
    const wrapped = wrapOnnxModel(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), onnxOptions);
    pkg = importedOnnxPackage(wrapped, record({ ...wrapped.conventions }));
  } else if (kind === 'keras-h5') {
    const { importKerasSeed } = await import('./keras-seed.js');
    pkg = await importKerasSeed(file, (conventions) => record(conventions));
  } else {
    const { tfjsGraphToOnnx } = await import('./tfjs-graph.js');
    const onnx = await tfjsGraphToOnnx(file);
    // TensorFlow is NHWC; the translation keeps it.
    const wrapped = wrapOnnxModel(onnx, { ...onnxOptions, layout: 'NHWC' });
    pkg = importedOnnxPackage(wrapped, record({ ...wrapped.conventions }));
  }
  throwIfAborted(options.signal);
  if (options.check) await options.check(pkg);
  throwIfAborted(options.signal);
  return writeImportedPackage(options.out, pkg, options.force ?? false);
}
