/**
 * `japananime quantize`: an int8 copy of an fp32 model package. The fp32 graph is calibrated on real
 * frames (the sample clip and the training photos by default), rewritten into static QDQ form
 * (qdq-graph.ts) and saved atomically as a new package whose meta.json records the precision, the
 * calibration rule and data, the source model's fingerprint and what stayed fp32. The tfjs weights
 * are the fp32 source's (the tfjs engine and training keep using them).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError, ModelError, OptionError, throwIfAborted } from '../../errors.js';
import { recordedPath, SAMPLES_DIR } from '../../project-paths.js';
import { loadModelPackage, modelPrecision, saveModelPackage, type ModelMeta, type ModelPackage } from '../model-package.js';
import { onnxFingerprint } from './int8-copy.js';
import { calibrateActivations } from './calibrate-activations.js';
import { readCalibrationFrames } from './calibration-frames.js';
import { applyQuantization, decodeModel, encodeModel, isQuantizedGraph, planQuantization, rewriteBlockUpsampling } from './qdq-graph.js';

/** The sample clip, always part of the default calibration set. */
export const DEFAULT_CALIBRATION_VIDEO = path.join(SAMPLES_DIR, 'sample.mp4');

export interface QuantizeModelOptions {
  /** The fp32 source package (folder or name). */
  model: string;
  /** Where the int8 package is written (atomically). */
  out: string;
  /** Videos, images or image folders to calibrate on. Default: the sample clip plus the package's training photos (when that folder exists). */
  calibration?: string[];
  /** Calibration frames in all. Default: 64. */
  frames?: number;
  /** Percentile rule for the activation ranges. Default: 99.99. */
  percentile?: number;
  /** Longest side of the calibration frames. Default: 640. */
  maxSide?: number;
  /**
   * Convs with this many input or output channels or fewer stay fp32: the rgb stem and head, and the
   * fixed image filters of `fast`'s ink layer (1- and 3-channel convs). Measured 2026-12-05 on `fast`
   * at 256², one thread, CPU time: all Convs in int8 0.98× fp32 (the Q/DQ around thin tensors cost
   * more than their int8 kernels save), thin ones kept fp32 1.51×, and less error. Default: 3.
   */
  keepThinConvs?: number;
  /** Progress: a phase and, while calibrating, frames done of total. Default: none. */
  onProgress?: (phase: 'frames' | 'calibrating' | 'writing', done?: number, total?: number) => void;
  /** Cancels the job; nothing is written. Default: none. */
  signal?: AbortSignal;
}

export interface QuantizeModelResult {
  pkg: ModelPackage;
  /** What meta.json's `quantization` says. */
  record: Record<string, unknown>;
}

/** The training photos a package was trained on, when that folder is still here (its `train` split when there is one). */
function trainingPhotos(meta: ModelMeta): string | undefined {
  const data = meta.training['data'] as { photos?: unknown } | undefined;
  const dir = typeof data?.photos === 'string' ? data.photos : undefined;
  if (dir === undefined || !existsSync(dir)) return undefined;
  const train = path.join(dir, 'photos', 'train');
  return existsSync(train) ? train : dir;
}

/** Options of quantizePackage: those of quantizeModel without the folders. */
export type QuantizePackageOptions = Omit<QuantizeModelOptions, 'model' | 'out'>;

/**
 * The in-memory int8 copy of a loaded fp32 package (dir undefined): calibrates and rewrites, writes
 * nothing. `bench` uses it for random-weight models; quantizeModel saves its result.
 */
export async function quantizePackage(source: ModelPackage, options: QuantizePackageOptions = {}): Promise<QuantizeModelResult> {
  const frames = options.frames ?? 64;
  const percentile = options.percentile ?? 99.99;
  if (!Number.isInteger(frames) || frames < 1) throw new OptionError(`{frames} must be a whole number ≥ 1, got ${frames}`);
  if (!(percentile > 50 && percentile <= 100)) throw new OptionError(`{percentile} must be in (50, 100], got ${percentile}`);
  const name = source.dir ?? source.spec.name;
  if (modelPrecision(source.meta) === 'int8' || isQuantizedGraph(decodeModel(source.onnx))) {
    const from = (source.meta.quantization?.['source'] as string | undefined) ?? 'its fp32 source';
    throw new ModelError(`${name} is already an int8 package; quantise ${from} instead`);
  }

  const sources = options.calibration ?? [DEFAULT_CALIBRATION_VIDEO, ...[trainingPhotos(source.meta)].filter((d): d is string => d !== undefined)];
  options.onProgress?.('frames');
  const set = await readCalibrationFrames({ sources, frames, maxSide: options.maxSide, signal: options.signal });
  if (set.frames.length === 0) throw new InputError('E_INPUT_INVALID', 'the calibration sources gave no frames');

  // The graph calibrated and quantised: the source's, with its block upsampling rewritten into ops
  // that run on uint8 (rewriteBlockUpsampling; same values). Planning only reads it, so the one
  // decoded model is planned on, calibrated (as bytes) and then rewritten in QDQ form.
  const model = decodeModel(source.onnx);
  rewriteBlockUpsampling(model);
  const graph = encodeModel(model);
  const plan = planQuantization(model, { keepThinConvs: options.keepThinConvs ?? 3 });
  if (plan.convs.length === 0) throw new ModelError(`${name}: the graph has no Conv with constant weights to quantise`);
  const calibration = await calibrateActivations(graph, plan, set.frames, {
    percentile,
    signal: options.signal,
    onFrame: (done, total) => options.onProgress?.('calibrating', done, total),
  });
  const summary = applyQuantization(model, plan, calibration.params);
  const onnx = encodeModel(model);

  const record: Record<string, unknown> = {
    method: 'static QDQ (QuantizeLinear/DequantizeLinear pairs fused by ONNX Runtime into int8 kernels)',
    tool: 'japananime quantize',
    source: source.dir === undefined ? name : recordedPath(source.dir),
    sourceOnnxSha256: onnxFingerprint(source.onnx),
    weights: 'int8, symmetric, per output channel (Conv); bias int32 at input scale × weight scale',
    activations: 'uint8, asymmetric, one scale per tensor: the input and output of every int8 Conv, and the output of every LeakyRelu or Add whose inputs are all quantised',
    calibration: { rule: 'percentile', percentile, frames: set.frames.length, maxSide: options.maxSide ?? 640, sources: set.sources.map((s) => ({ ...s, source: recordedPath(s.source) })) },
    quantizedConvs: summary.quantizedConvs,
    quantizedTensors: summary.quantizedTensors,
    keptFp32: {
      ops: summary.fp32Neighbours,
      why: 'ops that read a dequantised tensor and run in fp32 (ORT has no int8 kernel for them, or their output is not quantised): InstanceNormalization, ConvTranspose, the pixel scaling, the Kuwahara, ink and guided filters, the fp32 thin Convs and whatever reads their output',
      thinConvs: `Convs with ≤ ${options.keepThinConvs ?? 3} input or output channels (rgb stem/head, fixed image filters): int8 costs more there than it saves`,
    },
  };
  const meta: ModelMeta = { ...source.meta, precision: 'int8', quantization: record, createdAt: new Date().toISOString() };
  return { pkg: { ...source, dir: undefined, meta, onnx }, record };
}

/** Loads the fp32 package, quantises it and saves the int8 copy atomically at `out` (with the source's documents). */
export async function quantizeModel(options: QuantizeModelOptions): Promise<QuantizeModelResult> {
  const source = await loadModelPackage(options.model);
  const out = path.resolve(options.out);
  if (source.dir !== undefined && path.resolve(source.dir) === out) throw new OptionError(`{out} must differ from the source package ${out} (the int8 copy goes beside it)`);
  const { pkg, record } = await quantizePackage(source, options);
  throwIfAborted(options.signal);
  options.onProgress?.('writing');
  const saved = await saveModelPackage(out, pkg, source.dir === undefined ? {} : { documentsFrom: source.dir });
  return { pkg: saved, record };
}
