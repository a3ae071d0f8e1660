/**
 * Network parameters as plain data: an ordered map name → {shape, Float32Array}. This is what the
 * trainer checkpoints, what a model package's tfjs/ folder holds, and what worker threads send each
 * other (a Map of typed arrays is structured-cloneable), so it knows nothing about tfjs or ONNX.
 *
 * Binary form: one little-endian float32 blob (each tensor at a 4-byte-aligned offset, in order) and
 * a JSON manifest naming every tensor's shape and place in the blob.
 */
import { describeParameters, type ArchitectureSpec } from './spec.js';
import { mulberry32 } from '../seeded-random.js';

export interface Param {
  /** Shape in tfjs layout (see spec.ts). */
  shape: number[];
  /** Row-major values, length = product of shape. */
  data: Float32Array;
}

/** Ordered name → parameter map; the order is the spec's (describeParameters). */
export type ParamSet = Map<string, Param>;

export interface ParamsManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  /** Byte offset in the blob. */
  offset: number;
  /** Number of values (not bytes). */
  length: number;
}

export interface ParamsManifest {
  format: 'japananime-params';
  version: 1;
  /** The architecture these parameters belong to, when known. */
  architecture?: string;
  /** Total blob size in bytes. */
  byteLength: number;
  weights: ParamsManifestEntry[];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Standard normal samples from a uniform source (Box–Muller). */
function gaussian(uniform: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u <= Number.EPSILON) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export interface InitParamsOptions {
  /**
   * Zero the kernels the spec marks `zeroInit`, so `fast` starts as the identity: what a training run
   * wants. Off, every kernel is random, so the network visibly transforms images: what tests and
   * benchmarks want. Default: false.
   */
  identityStart?: boolean;
}

/**
 * Fresh parameters for a spec: He-normal (std = sqrt(2 / fanIn)) for conv kernels, zero biases,
 * unit instance-norm scales. Deterministic in `seed`.
 */
export function initParams(spec: ArchitectureSpec, seed = 0, options: InitParamsOptions = {}): ParamSet {
  const normal = gaussian(mulberry32(seed));
  const params: ParamSet = new Map();
  for (const d of describeParameters(spec)) {
    const size = d.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (d.init.kind === 'ones') data.fill(1);
    else if (d.init.kind === 'heNormal') {
      const std = Math.sqrt(2 / d.init.fanIn);
      for (let i = 0; i < size; i++) data[i] = normal() * std;
    }
    // Drawn even when zeroed, so the other parameters do not depend on identityStart.
    if (options.identityStart && d.zeroAtTrainingStart) data.fill(0);
    params.set(d.name, { shape: [...d.shape], data });
  }
  return params;
}

/** Total number of scalars in a ParamSet. */
export function paramCount(params: ParamSet): number {
  let n = 0;
  for (const p of params.values()) n += p.data.length;
  return n;
}

/**
 * Checks that `params` has exactly the spec's names and shapes; returns a one-line description of
 * the first problem, or undefined when it matches.
 */
export function checkParams(spec: ArchitectureSpec, params: ParamSet): string | undefined {
  const expected = describeParameters(spec);
  for (const d of expected) {
    const p = params.get(d.name);
    if (!p) return `missing parameter '${d.name}' of ${spec.name}`;
    if (p.shape.length !== d.shape.length || p.shape.some((s, i) => s !== d.shape[i])) {
      return `parameter '${d.name}' has shape [${p.shape.join(',')}], ${spec.name} needs [${d.shape.join(',')}]`;
    }
    const size = d.shape.reduce((a, b) => a * b, 1);
    if (p.data.length !== size) return `parameter '${d.name}' has ${p.data.length} values, expected ${size}`;
  }
  if (params.size !== expected.length) {
    const known = new Set(expected.map((d) => d.name));
    const extra = [...params.keys()].find((k) => !known.has(k));
    return `unexpected parameter '${extra ?? '?'}' for ${spec.name}`;
  }
  return undefined;
}

/** Packs a ParamSet into one blob and its manifest. */
export function serializeParams(params: ParamSet, architecture?: string): { manifest: ParamsManifest; data: Uint8Array } {
  let byteLength = 0;
  const weights: ParamsManifestEntry[] = [];
  for (const [name, p] of params) {
    weights.push({ name, shape: [...p.shape], dtype: 'float32', offset: byteLength, length: p.data.length });
    byteLength += p.data.length * 4;
  }
  const data = new Uint8Array(byteLength);
  const view = new DataView(data.buffer);
  let i = 0;
  for (const p of params.values()) {
    // The blob is little-endian whatever the host: a straight copy on little-endian hosts (every
    // platform Node ships for; the trainer ships weights between threads every step), DataView otherwise.
    if (LITTLE_ENDIAN) data.set(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength), i);
    else for (let j = 0; j < p.data.length; j++) view.setFloat32(i + j * 4, p.data[j] as number, true);
    i += p.data.byteLength;
  }
  const manifest: ParamsManifest = { format: 'japananime-params', version: 1, byteLength, weights };
  if (architecture !== undefined) manifest.architecture = architecture;
  return { manifest, data };
}

/**
 * Unpacks a blob written by serializeParams. Throws a RangeError describing the first
 * inconsistency (wrong format, entry outside the blob, shape/length mismatch).
 */
export function deserializeParams(manifest: unknown, data: Uint8Array): ParamSet {
  const m = manifest as Partial<ParamsManifest> | null;
  if (!m || typeof m !== 'object' || m.format !== 'japananime-params' || !Array.isArray(m.weights)) {
    throw new RangeError('not a japananime-params manifest');
  }
  if (typeof m.byteLength === 'number' && m.byteLength !== data.byteLength) {
    throw new RangeError(`weights blob has ${data.byteLength} bytes, manifest says ${m.byteLength}`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const params: ParamSet = new Map();
  for (const e of m.weights) {
    if (typeof e?.name !== 'string' || !Array.isArray(e.shape) || typeof e.offset !== 'number' || typeof e.length !== 'number') {
      throw new RangeError('malformed manifest entry');
    }
    const size = e.shape.reduce((a: number, b: number) => a * b, 1);
    if (size !== e.length) throw new RangeError(`'${e.name}': shape [${e.shape.join(',')}] does not hold ${e.length} values`);
    if (e.offset < 0 || e.offset % 4 !== 0 || e.offset + e.length * 4 > data.byteLength) {
      throw new RangeError(`'${e.name}' lies outside the weights blob`);
    }
    const values = new Float32Array(e.length);
    if (LITTLE_ENDIAN) new Uint8Array(values.buffer).set(data.subarray(e.offset, e.offset + e.length * 4));
    else for (let j = 0; j < e.length; j++) values[j] = view.getFloat32(e.offset + j * 4, true);
    params.set(e.name, { shape: [...e.shape], data: values });
  }
  return params;
}

/** A deep copy (fresh typed arrays). */
export function cloneParams(params: ParamSet): ParamSet {
  const out: ParamSet = new Map();
  for (const [name, p] of params) out.set(name, { shape: [...p.shape], data: new Float32Array(p.data) });
  return out;
}
