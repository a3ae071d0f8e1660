/**
 * The model package: a folder holding `model.onnx` (uint8 rgb24 NHWC in and out), `meta.json`
 * (architecture, parameter count, GMAC at 256², input/output, training record, licence) and
 * `tfjs/` (manifest.json + weights.bin from params.ts, for the tfjs engine and for resuming
 * training). Saving is atomic: everything is written to a temp folder beside the target, then
 * renamed into place; a failed save leaves the previous package untouched.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelError } from '../errors.js';
import { DEFAULT_MODEL_DIR, MODELS_DIR } from '../project-paths.js';
import { exportOnnx, inspectOnnx, ONNX_INPUT_NAME, ONNX_OPSET, ONNX_OUTPUT_NAME } from './onnx-export.js';
import { OnnxType } from './onnx-graph.js';
import { checkParams, deserializeParams, serializeParams, type ParamSet } from './params.js';
import { countParameters, gmacAt256, GENERATOR_NAMES, getArchitecture, isArchitectureName, type ArchitectureName, type ArchitectureSpec } from './spec.js';

export const MODEL_FORMAT = 'japananime-model';
export const MODEL_FORMAT_VERSION = 1;
export const ONNX_FILE = 'model.onnx';
export const META_FILE = 'meta.json';
export const TFJS_DIR = 'tfjs';
export const TFJS_MANIFEST_FILE = 'manifest.json';
export const TFJS_WEIGHTS_FILE = 'weights.bin';

/** How images enter and leave the ONNX graph. */
export interface ImageTensorDescription {
  name: string;
  dtype: 'uint8';
  layout: 'NHWC';
  /** N, H and W are dynamic; C is 3. */
  shape: ['N', 'H', 'W', 3];
  colors: 'rgb24';
  range: [0, 255];
}

/** `meta.architecture` of a package imported from a foreign ONNX model: its graph is all there is (no spec, no tfjs weights). */
export const IMPORTED_ARCHITECTURE = 'imported';

/** Where an imported package came from (src/model/import): recorded so a package can be traced back to its file. */
export interface ModelSource {
  /** The imported file's (or folder's) base name. */
  file: string;
  /** sha256 of the file's bytes (for a tfjs graph model: of model.json). */
  sha256: string;
  kind: 'onnx' | 'keras-h5' | 'tfjs-graph';
  /** The conventions the wrapper converted from (layout, range, channel order, multiple, sizes, batch). */
  conventions: Record<string, unknown>;
}

export interface ModelMeta {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  /** The architecture, or 'imported' for a foreign ONNX graph (then `parameters` counts its initializers). */
  architecture: ArchitectureName | typeof IMPORTED_ARCHITECTURE;
  /** Trainable scalars (checked against the architecture on load). */
  parameters: number;
  /** Billions of multiply-accumulates per 256×256 frame. */
  gmac256: number;
  input: ImageTensorDescription;
  output: ImageTensorDescription;
  /** The network's internal input range and H/W multiple (handled inside the graph). */
  network: { inputRange: [number, number]; sizeMultiple: number; opset: number };
  /** How the weights were made: free-form (steps, datasets, losses, …); `{ kind: 'random', seed }` for untrained ones. */
  training: Record<string, unknown>;
  /** Licence of the weights (SPDX id or text). */
  license: string;
  /** Optional one-line description. */
  description?: string;
  /** Numeric precision of model.onnx. Absent in packages older than int8 support: 'fp32'. */
  precision?: ModelPrecision;
  /** How an int8 model.onnx was made (see src/model/quantize): method, calibration rule and data, what stayed fp32. */
  quantization?: Record<string, unknown>;
  /** Imported packages: where the model came from. Absent for packages trained here. */
  source?: ModelSource;
  /**
   * Imported packages: how `--tile` treats the graph: 'shared-norm' (its instance norms get the
   * frame's statistics) or 'plain-overlap' (no norm to share: overlapped tiles and the blend).
   */
  tiling?: 'shared-norm' | 'plain-overlap';
  /** ISO date of the save. */
  createdAt: string;
}

/** 'fp32': float weights and activations; 'int8': static QDQ (int8 weights, uint8 activations). */
export type ModelPrecision = 'fp32' | 'int8';
export const MODEL_PRECISIONS: readonly ModelPrecision[] = ['fp32', 'int8'];

/** A package's precision (packages written before int8 support are fp32). */
export function modelPrecision(meta: ModelMeta): ModelPrecision {
  return meta.precision ?? 'fp32';
}

export interface ModelPackage {
  /** The folder it was loaded from or saved to; undefined for an in-memory package. */
  dir: string | undefined;
  spec: ArchitectureSpec;
  params: ParamSet;
  meta: ModelMeta;
  /** The model.onnx bytes. */
  onnx: Uint8Array;
}

/**
 * A package imported from a foreign ONNX model (src/model/import): the graph and its meta.json, no
 * architecture spec and no tfjs weights, so it runs on the onnx engine only.
 */
export interface ImportedModelPackage {
  dir: string | undefined;
  spec: undefined;
  params: undefined;
  meta: ModelMeta & { architecture: typeof IMPORTED_ARCHITECTURE };
  onnx: Uint8Array;
}

/** Either kind of package: what the ONNX engine runs. */
export type AnyModelPackage = ModelPackage | ImportedModelPackage;

/** What the caller provides about a package besides its weights; everything else is derived. */
export interface ModelMetaInput {
  /** Training record. Default: { kind: 'unspecified' }. */
  training?: Record<string, unknown>;
  /** Licence of the weights. Default: 'MIT'. */
  license?: string;
  /** One-line description. Default: none. */
  description?: string;
}

export interface SaveModelPackageInput {
  spec: ArchitectureSpec;
  params: ParamSet;
  /** Training record, licence, description. Default: {}. */
  meta?: ModelMetaInput;
}

/** The uint8 rgb24 NHWC image a package takes or returns, as meta.json describes it. */
export const imageDescription = (name: string): ImageTensorDescription => ({ name, dtype: 'uint8', layout: 'NHWC', shape: ['N', 'H', 'W', 3], colors: 'rgb24', range: [0, 255] });

/** The meta.json a package of this spec gets. */
export function buildMeta(spec: ArchitectureSpec, input: ModelMetaInput = {}): ModelMeta {
  const meta: ModelMeta = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    architecture: spec.name,
    parameters: countParameters(spec),
    gmac256: Math.round(gmacAt256(spec) * 1000) / 1000,
    input: imageDescription(ONNX_INPUT_NAME),
    output: imageDescription(ONNX_OUTPUT_NAME),
    network: { inputRange: spec.inputRange, sizeMultiple: spec.sizeMultiple, opset: ONNX_OPSET },
    training: input.training ?? { kind: 'unspecified' },
    license: input.license ?? 'MIT',
    createdAt: new Date().toISOString(),
  };
  if (input.description !== undefined) meta.description = input.description;
  return meta;
}

/** An in-memory package (exported ONNX included), e.g. random weights for `bench`. */
export function createModelPackage(input: SaveModelPackageInput): ModelPackage {
  const { spec, params } = input;
  if (spec.role !== 'generator') throw new ModelError(`${spec.name} is a ${spec.role}, only generators make a model package`);
  const problem = checkParams(spec, params);
  if (problem) throw new ModelError(`cannot package ${spec.name}: ${problem}`);
  const meta = buildMeta(spec, input.meta);
  const onnx = exportOnnx(spec, params, { metadata: { format: MODEL_FORMAT } });
  return { dir: undefined, spec, params, meta, onnx };
}

/**
 * Writes a package to `dir` atomically: a temp folder in the same parent, then a rename. An existing
 * package at `dir` is replaced only once the new one is complete; on any failure it is left as it
 * was and the temp folder is removed.
 */
export interface SaveModelPackageOptions {
  /**
   * Another package folder whose documents (licences, attribution, anything besides the package's own
   * files) are copied into the new one, e.g. the fp32 source of an int8 copy. Default: none.
   */
  documentsFrom?: string;
}

export async function saveModelPackage(dir: string, input: SaveModelPackageInput | ModelPackage, options?: SaveModelPackageOptions): Promise<ModelPackage>;
export async function saveModelPackage(dir: string, input: ImportedModelPackage, options?: SaveModelPackageOptions): Promise<ImportedModelPackage>;
export async function saveModelPackage(dir: string, input: SaveModelPackageInput | AnyModelPackage, options: SaveModelPackageOptions = {}): Promise<AnyModelPackage> {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = path.join(parent, `.${base}.saving-${tag}`);
  const old = path.join(parent, `.${base}.old-${tag}`);
  await mkdir(parent, { recursive: true });
  await mkdir(temp);
  let movedOld = false;
  try {
    const pkg: AnyModelPackage = 'onnx' in input ? input : createModelPackage(input);
    // An imported ONNX graph has no tfjs weights to write.
    if (pkg.spec) {
      const { manifest, data } = serializeParams(pkg.params, pkg.spec.name);
      await mkdir(path.join(temp, TFJS_DIR));
      await writeFile(path.join(temp, TFJS_DIR, TFJS_WEIGHTS_FILE), data);
      await writeFile(path.join(temp, TFJS_DIR, TFJS_MANIFEST_FILE), JSON.stringify(manifest, null, 1) + '\n');
    }
    await writeFile(path.join(temp, ONNX_FILE), pkg.onnx);
    // meta.json last: a folder with a meta.json is a complete package.
    await writeFile(path.join(temp, META_FILE), JSON.stringify(pkg.meta, null, 2) + '\n');
    if (options.documentsFrom !== undefined) {
      for (const entry of await readdir(options.documentsFrom)) {
        if (entry !== ONNX_FILE && entry !== META_FILE && entry !== TFJS_DIR && !entry.startsWith('.')) await cp(path.join(options.documentsFrom, entry), path.join(temp, entry), { recursive: true });
      }
    }
    if (existsSync(target)) {
      // Documents kept beside a package (licences, attribution, a README) survive a re-export:
      // only the files the package itself consists of are replaced.
      for (const entry of await readdir(target)) {
        if (entry !== ONNX_FILE && entry !== META_FILE && entry !== TFJS_DIR && !existsSync(path.join(temp, entry))) await cp(path.join(target, entry), path.join(temp, entry), { recursive: true });
      }
      await rename(target, old);
      movedOld = true;
    }
    await rename(temp, target);
    if (movedOld) await rm(old, { recursive: true, force: true });
    return { ...pkg, dir: target };
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    if (movedOld && !existsSync(target)) await rename(old, target).catch(() => undefined);
    throw err instanceof ModelError ? err : new ModelError(`could not save the model package to ${target}: ${(err as Error).message}`, err);
  }
}

/**
 * Where a model option points: undefined → the default package; a path (has a separator, starts
 * with '.', or is absolute) → that folder; a bare name → <modelsDir>/<name> (or ./<name> if only
 * that exists). The one resolver for the CLI, the pipeline and the live server (which passes its own
 * models folder, and admits only names it lists).
 */
export function resolveModelDir(dirOrName?: string, modelsDir: string = MODELS_DIR): string {
  if (dirOrName === undefined || dirOrName === '') return modelsDir === MODELS_DIR ? DEFAULT_MODEL_DIR : path.join(modelsDir, 'default');
  const isPath = path.isAbsolute(dirOrName) || dirOrName.includes('/') || dirOrName.includes(path.sep) || dirOrName.startsWith('.');
  if (isPath) return path.resolve(dirOrName);
  const named = path.join(modelsDir, dirOrName);
  if (!existsSync(named) && existsSync(dirOrName)) return path.resolve(dirOrName);
  return named;
}

async function readRequired(dir: string, rel: string): Promise<Buffer> {
  const file = path.join(dir, rel);
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelError(`model package ${dir} is incomplete: ${rel} is missing`, err);
    throw new ModelError(`cannot read ${file}: ${(err as Error).message}`, err);
  }
}

function parseJson(dir: string, rel: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ModelError(`model package ${dir}: ${rel} is not valid JSON (${(err as Error).message})`, err);
  }
}

/** Checks a parsed meta.json; returns it typed or throws a ModelError naming the problem. */
export function validateMeta(dir: string, raw: unknown): ModelMeta {
  const meta = raw as Partial<ModelMeta> | null;
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) throw new ModelError(`model package ${dir}: meta.json is not a JSON object`);
  if (meta.format !== MODEL_FORMAT) {
    throw new ModelError(`${dir} is not a japananime model package (meta.json format is ${JSON.stringify(meta.format ?? null)}, expected "${MODEL_FORMAT}")`);
  }
  if (typeof meta.formatVersion !== 'number' || meta.formatVersion > MODEL_FORMAT_VERSION) {
    throw new ModelError(`model package ${dir} has format version ${String(meta.formatVersion)}, this version reads up to ${MODEL_FORMAT_VERSION}`);
  }
  const arch = meta.architecture as unknown;
  if (arch === IMPORTED_ARCHITECTURE) {
    if (typeof meta.parameters !== 'number') throw new ModelError(`model package ${dir}: meta.json of an imported model has no parameter count`);
    return meta as ModelMeta;
  }
  if (typeof arch !== 'string' || !isArchitectureName(arch) || !GENERATOR_NAMES.includes(arch)) {
    throw new ModelError(`model package ${dir}: unknown architecture ${JSON.stringify(arch ?? null)} (known generators: ${GENERATOR_NAMES.join(', ')})`);
  }
  const expected = countParameters(getArchitecture(arch));
  if (meta.parameters !== expected) {
    throw new ModelError(`model package ${dir}: meta.json says ${String(meta.parameters)} parameters, architecture ${arch} has ${expected}`);
  }
  if (meta.precision !== undefined && !MODEL_PRECISIONS.includes(meta.precision)) {
    throw new ModelError(`model package ${dir}: unknown precision ${JSON.stringify(meta.precision)} (known: ${MODEL_PRECISIONS.join(', ')})`);
  }
  return meta as ModelMeta;
}

/** Reads and checks a package's meta.json alone (a ModelError names the problem). */
export async function readModelMeta(dir: string): Promise<ModelMeta> {
  return validateMeta(dir, parseJson(dir, META_FILE, await readRequired(dir, META_FILE)));
}

/**
 * Loads and checks a package trained here (or imported with weights): meta.json, tfjs weights (names
 * and shapes against the architecture) and model.onnx (decodable, uint8 image in and out). Every
 * problem is a ModelError naming the file; an imported ONNX graph (no tfjs weights) is one too —
 * callers that can run those use loadAnyModelPackage.
 */
export async function loadModelPackage(dirOrName?: string): Promise<ModelPackage> {
  const pkg = await loadAnyModelPackage(dirOrName);
  if (!pkg.spec) throw new ModelError(`model package ${pkg.dir ?? ''} is an imported ONNX model without tfjs weights: it runs on the onnx engine only`);
  return pkg;
}

/** Like loadModelPackage, but also returns imported ONNX packages (graph and meta.json only). */
export async function loadAnyModelPackage(dirOrName?: string): Promise<AnyModelPackage> {
  const dir = resolveModelDir(dirOrName);
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    const hint = dirOrName === undefined ? ' (no default model is installed; pass --model <dir|name>)' : '';
    throw new ModelError(`model package not found: ${dir}${hint}`, err);
  }
  if (!info.isDirectory()) throw new ModelError(`model package ${dir} is not a folder`);

  const meta = await readModelMeta(dir);
  const onnx = await readPackageOnnx(dir);
  if (meta.architecture === IMPORTED_ARCHITECTURE) return { dir, spec: undefined, params: undefined, meta: meta as ImportedModelPackage['meta'], onnx };
  const spec = getArchitecture(meta.architecture);

  const manifest = parseJson(dir, `${TFJS_DIR}/${TFJS_MANIFEST_FILE}`, await readRequired(dir, path.join(TFJS_DIR, TFJS_MANIFEST_FILE)));
  const blob = await readRequired(dir, path.join(TFJS_DIR, TFJS_WEIGHTS_FILE));
  let params: ParamSet;
  try {
    params = deserializeParams(manifest, new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength));
  } catch (err) {
    throw new ModelError(`model package ${dir}: tfjs weights are corrupt (${(err as Error).message})`, err);
  }
  const problem = checkParams(spec, params);
  if (problem) throw new ModelError(`model package ${dir}: tfjs weights do not fit architecture ${spec.name}: ${problem}`);
  const architecture = inspectOnnx(onnx).metadata['architecture'];
  if (architecture !== undefined && architecture !== spec.name) {
    throw new ModelError(`model package ${dir}: ${ONNX_FILE} is a ${architecture} network but meta.json says ${spec.name}`);
  }
  return { dir, spec, params, meta, onnx };
}

/** model.onnx of a package, checked to be decodable with one uint8 image input and a uint8 output. */
async function readPackageOnnx(dir: string): Promise<Uint8Array> {
  const onnxBytes = await readRequired(dir, ONNX_FILE);
  const onnx = new Uint8Array(onnxBytes.buffer, onnxBytes.byteOffset, onnxBytes.byteLength);
  let summary;
  try {
    summary = inspectOnnx(onnx);
  } catch (err) {
    throw new ModelError(`model package ${dir}: ${ONNX_FILE} is corrupt (${(err as Error).message})`, err);
  }
  const input = summary.inputs[0];
  const output = summary.outputs[0];
  if (summary.inputs.length !== 1 || input?.elemType !== OnnxType.UINT8 || output?.elemType !== OnnxType.UINT8) {
    throw new ModelError(`model package ${dir}: ${ONNX_FILE} does not take and return uint8 images (not exported by japananime?)`);
  }
  return onnx;
}
