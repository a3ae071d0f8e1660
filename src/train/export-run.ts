/**
 * `japananime export <run> --out <model-dir>`: the run's latest checkpoint (or a chosen step) as a
 * model package (model.onnx + meta.json + tfjs weights) with the training record in meta.json, and
 * with `int8` its int8 copy beside it.
 */
import path from 'node:path';
import { RunError } from '../errors.js';
import { saveModelPackage, type ModelPackage } from '../model/model-package.js';
import { checkParams } from '../model/params.js';
import { int8CopyDir } from '../model/quantize/int8-copy.js';
import { quantizeModel, type QuantizePackageOptions } from '../model/quantize/quantize-model.js';
import { getArchitecture } from '../model/spec.js';
import { listCheckpoints, readCheckpoint } from './checkpoint.js';
import { readMetrics } from './metrics.js';
import { readRunConfig } from './run-config.js';

export interface ExportRunOptions {
  /** Training run folder. Required. */
  run: string;
  /** Model package folder to write (replaced atomically). Required. */
  out: string;
  /** Checkpoint step to export. Default: the latest. */
  step?: number;
  /** Licence of the weights written into meta.json. Default: 'MIT'. */
  license?: string;
  /** One-line description in meta.json. Default: "<arch> trained by japananime (<steps> steps)". */
  description?: string;
  /**
   * Also write an int8 copy beside the package, as `<out>-int8` (what `serve` and `stylize` prefer),
   * quantised with these options (src/model/quantize). Default: none.
   */
  int8?: QuantizePackageOptions;
}

export async function exportRun(options: ExportRunOptions): Promise<ModelPackage> {
  const runDir = path.resolve(options.run);
  const config = await readRunConfig(runDir);
  const checkpoints = await listCheckpoints(runDir);
  if (checkpoints.length === 0) throw new RunError(`${runDir} has no checkpoint to export`);
  const chosen = options.step === undefined ? checkpoints.at(-1)! : checkpoints.find((c) => c.step === options.step);
  if (!chosen) throw new RunError(`${runDir} has no checkpoint of step ${options.step} (have: ${checkpoints.map((c) => c.step).join(', ')})`);
  const ck = await readCheckpoint(chosen.dir);
  const spec = getArchitecture(config.arch);
  const problem = checkParams(spec, ck.g);
  if (problem) throw new RunError(`checkpoint ${chosen.dir} does not fit ${config.arch}: ${problem}`);
  const metrics = (await readMetrics(runDir)).filter((m) => m.step <= ck.step);
  const last = metrics.at(-1);
  const gan = metrics.filter((m) => m.phase === 'gan').length;
  const training = {
    kind: 'trained',
    trainer: 'japananime train (tfjs wasm, data-parallel workers)',
    commands: config.commands,
    steps: ck.step,
    pretrainSteps: Math.min(config.pretrainSteps, ck.step),
    ganSteps: gan,
    wallSeconds: Math.round(ck.trainSeconds),
    finalLosses: last?.losses ?? {},
    data: { photos: config.photos, anime: config.anime ?? null, crop: config.crop, batch: config.batch, note: 'the rights to the training images remain with their owners' },
    optimiser: { name: 'adam', lr: config.lr, ...(config.pretrainLr !== undefined ? { pretrainLr: config.pretrainLr } : {}), beta1: config.beta1, beta2: config.beta2 },
    lossWeights: config.weights,
    discriminator: config.discriminator,
    perceptual: config.perceptual,
    seed: config.seed,
    exportedFrom: path.relative(runDir, chosen.dir),
  };
  const pkg = await saveModelPackage(options.out, {
    spec,
    params: ck.g,
    meta: {
      training,
      license: options.license ?? 'MIT',
      description: options.description ?? `${config.arch} generator trained by japananime (${ck.step} steps)`,
    },
  });
  if (options.int8 !== undefined && pkg.dir !== undefined) await quantizeModel({ ...options.int8, model: pkg.dir, out: int8CopyDir(pkg.dir) });
  return pkg;
}
