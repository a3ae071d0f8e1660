/**
 * Writes an imported model as a normal model package, through saveModelPackage's atomic temp-folder
 * rename: the package appears under its name only when complete. An existing `out` is replaced only
 * with `force` (an import is usually a one-off; silently replacing a package someone made is worse
 * than asking).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { JapananimeError } from '../../errors.js';
import {
  createModelPackage, imageDescription, IMPORTED_ARCHITECTURE, MODEL_FORMAT, MODEL_FORMAT_VERSION, saveModelPackage,
  type AnyModelPackage, type ImportedModelPackage, type ModelPackage, type ModelSource,
} from '../model-package.js';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../onnx-export.js';
import type { ParamSet } from '../params.js';
import type { ArchitectureSpec } from '../spec.js';
import type { WrappedOnnx } from './onnx-wrapper.js';

/** What every imported package records besides its weights. */
export interface ImportRecord {
  source: ModelSource;
  /** The licence the user states for the weights. */
  license: string;
  /** One-line description. Default: "imported <kind> model <file>". */
  description?: string;
}

const describe = (r: ImportRecord): string => r.description ?? `imported ${r.source.kind} model ${r.source.file}`;

/** An in-memory package of a wrapped foreign ONNX graph (no tfjs weights). */
export function importedOnnxPackage(wrapped: WrappedOnnx, record: ImportRecord): ImportedModelPackage {
  return {
    dir: undefined,
    spec: undefined,
    params: undefined,
    onnx: wrapped.onnx,
    meta: {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      architecture: IMPORTED_ARCHITECTURE,
      parameters: wrapped.parameters,
      gmac256: wrapped.gmac256,
      input: imageDescription(ONNX_INPUT_NAME),
      output: imageDescription(ONNX_OUTPUT_NAME),
      network: { inputRange: wrapped.conventions.range, sizeMultiple: wrapped.conventions.multiple, opset: wrapped.conventions.opset },
      training: { kind: 'imported', note: 'trained elsewhere; see source' },
      license: record.license,
      description: describe(record),
      source: record.source,
      tiling: wrapped.tiling,
      createdAt: new Date().toISOString(),
    },
  };
}

/** A package of one of our architectures with imported weights (the seed's Keras generator): ONNX, tfjs weights and all. */
export function importedNativePackage(spec: ArchitectureSpec, params: ParamSet, record: ImportRecord, tiling: 'shared-norm' | 'plain-overlap'): ModelPackage {
  const pkg = createModelPackage({ spec, params, meta: { training: { kind: 'imported', note: 'trained elsewhere; see source' }, license: record.license, description: describe(record) } });
  return { ...pkg, meta: { ...pkg.meta, source: record.source, tiling } };
}

/** Refuses an existing `out` unless `force`; call before any work so nothing is half-done. */
export function checkImportTarget(out: string, force: boolean): void {
  if (existsSync(out) && !force) throw new JapananimeError('E_OUTPUT_INVALID', `${path.resolve(out)} already exists; pass --force to replace it`);
}

/** Saves atomically (see the file comment). */
export async function writeImportedPackage(out: string, pkg: AnyModelPackage, force: boolean): Promise<AnyModelPackage> {
  checkImportTarget(out, force);
  return pkg.spec ? saveModelPackage(out, pkg) : saveModelPackage(out, pkg);
}
