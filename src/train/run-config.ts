/**
 * A training run's configuration: what run.json in the run folder holds (the settings that define the
 * run's maths, fixed for its lifetime), the options it is made from with their defaults, their
 * checks, and reading and writing it. The trainer (trainer.ts) runs the run; export-run.ts reads its
 * configuration without loading the trainer.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { JapananimeError, RunError } from '../errors.js';
import type { ArchitectureName } from '../model/spec.js';
import type { CelTargetOptions } from './cel-target.js';
import { PHOTO_TARGETS_DIR, TARGETS_FILE } from './dataset/layout.js';
import type { TrainBackend } from './gradient-engine.js';
import { DEFAULT_LOSS_WEIGHTS, type LossWeights } from './losses.js';
import { describePerceptual, type PerceptualName } from './perceptual/perceptual-net.js';

export const RUN_FILE = 'run.json';

export type GeneratorName = Extract<ArchitectureName, 'fast' | 'cartoongan'>;

/** The options that define a run (train() takes these and how the session runs: TrainOptions). */
export interface RunConfigOptions {
  /** Dataset root with photos/{train,val}. Required for a new run; on resume, default: the run's. */
  photos?: string;
  /** Dataset root with anime/ and anime_smooth/. Required when there are GAN steps; on resume, default: the run's. */
  anime?: string;
  /** Generator architecture. Default: 'fast' (on resume: the run's; another one is an error). */
  arch?: GeneratorName;
  /** Total steps the run reaches, pretraining included. Default: 2000. */
  steps?: number;
  /** Steps of pretraining (content and structure losses, no D) at the start. Default: cartoongan min(200, steps/10); fast 0 (it starts as the photo). On resume: the run's, unless given while the run is still in its pretraining (then it moves the end of the pretraining). */
  pretrainSteps?: number;
  /** Images per step (split over the workers). Default: 4. */
  batch?: number;
  /** Training crop size (random crops of the dataset's crops; a multiple of 4). Default: 256. */
  crop?: number;
  /** Adam learning rate (G and D). Default: 1e-4. */
  lr?: number;
  /**
   * Learning rate of the pretraining phase: a plain regression (content and structure losses, no D)
   * that is stable at rates a GAN is not. Default: the GAN's lr.
   */
  pretrainLr?: number;
  /** Adam β1. Default: 0.5. */
  beta1?: number;
  /** Adam β2. Default: 0.999. */
  beta2?: number;
  /** Loss weights. Default: content 10, style 1, adversarial 1, edge 1. */
  weights?: Partial<LossWeights>;
  /**
   * How the structure loss's cel-shaded target is made (bilateral passes, radius, range, outlines,
   * saturation). Default: celTarget's defaults. The palette is measured, not given: see celPalette.
   */
  cel?: Omit<CelTargetOptions, 'palette' | 'paletteStrength'>;
  /**
   * How far the cel target's colours move towards the film's palette (measured from the photo and
   * anime crops when the run starts, kept in run.json), 0..1. Default: 0 (the photo's colours).
   */
  celPalette?: number;
  /** Perceptual net for content/style losses. Default: 'mobilenetv2'. */
  perceptual?: PerceptualName;
  /** Feature layer of the perceptual net. Default: mobilenetv2 block_6_expand_relu, vgg19 block4_conv4. */
  perceptualLayer?: string;
  /** Keras VGG19 h5 file (perceptual 'vgg19'). Default: none. */
  vgg19Weights?: string;
  /** Seed of the initial weights, data order, crops and flips. Default: 0. */
  seed?: number;
  /**
   * A model package of the run's architecture whose weights the generator starts from instead of
   * the seeded initialisation (fine-tuning, distilling, training on from an imported package).
   * Default: none.
   */
  init?: string;
  /**
   * tfjs backend the gradients are computed on: 'wasm' (CPU, worker threads), 'webgpu' (a GPU, one
   * process) or 'cpu' (pure JS, tests). Not part of the run's maths: a resumed run may change it.
   * Default: 'wasm' (on resume: the run's last one).
   */
  backend?: TrainBackend;
  /** The command line, for the training record. Default: none. */
  command?: string;
  /**
   * The structure loss's target: 'anime' reads the photos' precomputed anime targets (`dataset
   * targets`, anime-target.ts), 'cel' makes the older bilateral cel target each step. Default:
   * 'anime' when the photo dataset has its targets, else 'cel'. On resume: the run's.
   */
  structureTarget?: 'anime' | 'cel';
  /** What the content loss compares with: the photo (CartoonGAN) or the structure target. Default: 'photo'. On resume: the run's. */
  contentOn?: 'photo' | 'target';
}

/** What run.json holds: the settings that define the run's maths (fixed for its lifetime). */
export interface RunConfig {
  version: 1;
  arch: GeneratorName;
  discriminator: 'patchgan';
  photos: string;
  anime: string | undefined;
  pretrainSteps: number;
  batch: number;
  crop: number;
  lr: number;
  /** Absent in runs made before it existed: then the pretraining used lr. */
  pretrainLr?: number;
  beta1: number;
  beta2: number;
  weights: LossWeights;
  /** The cel target's settings, palette included. Absent in runs made before it existed: celTarget's defaults. */
  cel?: CelTargetOptions;
  /** The structure loss's target (see RunConfigOptions). Absent in runs made before it existed: 'cel'. */
  structureTarget?: 'anime' | 'cel';
  /** The content loss's reference (see RunConfigOptions). Absent in runs made before it existed: 'photo'. */
  contentOn?: 'photo' | 'target';
  perceptual: { name: PerceptualName; layer: string; source: string; licence: string; vgg19Weights?: string };
  seed: number;
  /** The package the generator started from (see RunConfigOptions.init); absent when it started from the seed. */
  init?: string;
  backend: TrainBackend;
  createdAt: string;
  commands: string[];
}

function positiveInt(name: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new JapananimeError('E_USAGE', `${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

/** The step the run reaches: `steps`, checked. Default: 2000. */
export function runSteps(o: Pick<RunConfigOptions, 'steps'>): number {
  return positiveInt('--steps', o.steps ?? 2000);
}

/** The run.json of `runDir`; RunError when there is none or it cannot be read. */
export async function readRunConfig(runDir: string): Promise<RunConfig> {
  const file = path.join(runDir, RUN_FILE);
  if (!existsSync(file)) throw new RunError(`${runDir} is not a training run (no ${RUN_FILE})`);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RunConfig;
  } catch (cause) {
    throw new RunError(`${file} is unreadable`, cause);
  }
}

/** Writes run.json under a temporary name and renames it, so a crash never leaves half a file. */
export async function writeRunConfig(runDir: string, config: RunConfig): Promise<void> {
  const file = path.join(runDir, RUN_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(config, null, 2) + '\n');
  await rename(temp, file);
}

/** A new run's configuration: the options with their defaults, checked once (E_USAGE names the flag). */
export async function newRunConfig(o: RunConfigOptions): Promise<RunConfig> {
  if (!o.photos) throw new JapananimeError('E_USAGE', 'a new run needs --photos <dataset dir>');
  const steps = runSteps(o);
  // The fast generator starts as the photo itself (its residual branch's last conv is zero; only the
  // guided filter smooths it), so content-only pretraining has nothing to teach it and defaults to
  // none. With a structure weight, pretraining is the cheap regression towards the cel target.
  const pretrainSteps = o.pretrainSteps ?? ((o.arch ?? 'fast') === 'fast' ? 0 : Math.min(200, Math.floor(steps / 10)));
  if (pretrainSteps < steps && !o.anime) throw new JapananimeError('E_USAGE', 'the GAN phase needs --anime <dataset dir> (or set --pretrain-steps to --steps)');
  const perceptualName = o.perceptual ?? 'mobilenetv2';
  if (perceptualName === 'vgg19' && !o.vgg19Weights) throw new JapananimeError('E_USAGE', '--perceptual vgg19 needs --vgg19-weights <vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5>');
  const perceptualConfig = { name: perceptualName, ...(o.perceptualLayer ? { layer: o.perceptualLayer } : {}), ...(o.vgg19Weights ? { weightsPath: path.resolve(o.vgg19Weights) } : {}) };
  const described = describePerceptual(perceptualConfig);
  const crop = o.crop ?? 256;
  const celPalette = o.celPalette ?? 0;
  if (!(celPalette >= 0 && celPalette <= 1)) throw new JapananimeError('E_USAGE', `--cel-palette must be between 0 and 1, got ${celPalette}`);
  if (celPalette > 0 && !o.anime) throw new JapananimeError('E_USAGE', '--cel-palette measures the film\'s palette: it needs --anime <dataset dir>');
  if (crop % 4 !== 0) throw new JapananimeError('E_USAGE', `--crop must be a multiple of 4, got ${crop}`);
  const targetsReady = existsSync(path.join(o.photos, PHOTO_TARGETS_DIR, TARGETS_FILE));
  const structureTarget = o.structureTarget ?? (targetsReady ? 'anime' : 'cel');
  if (structureTarget === 'anime' && !targetsReady) throw new JapananimeError('E_USAGE', `--target anime needs the photos' anime targets: run 'japananime dataset targets ${o.photos}' first`);
  return {
    version: 1,
    arch: o.arch ?? 'fast',
    discriminator: 'patchgan',
    photos: path.resolve(o.photos),
    anime: o.anime ? path.resolve(o.anime) : undefined,
    pretrainSteps: positiveInt('--pretrain-steps', pretrainSteps, 0),
    batch: positiveInt('--batch', o.batch ?? 4),
    crop: positiveInt('--crop', crop, 4),
    lr: o.lr ?? 1e-4,
    ...(o.pretrainLr !== undefined ? { pretrainLr: o.pretrainLr } : {}),
    beta1: o.beta1 ?? 0.5,
    beta2: o.beta2 ?? 0.999,
    weights: { ...DEFAULT_LOSS_WEIGHTS, ...o.weights },
    ...(o.cel && Object.keys(o.cel).length > 0 ? { cel: { ...o.cel } } : {}),
    structureTarget,
    contentOn: o.contentOn ?? 'photo',
    perceptual: { ...described, ...(perceptualConfig.weightsPath ? { vgg19Weights: perceptualConfig.weightsPath } : {}) },
    seed: o.seed ?? 0,
    ...(o.init !== undefined ? { init: o.init } : {}),
    backend: o.backend ?? 'wasm',
    createdAt: new Date().toISOString(),
    commands: o.command ? [o.command] : [],
  };
}
