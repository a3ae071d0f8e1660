/**
 * The trainer: a pretraining phase (content loss only) and then the GAN phase, data parallel over
 * worker threads, with resumable checkpoints, metrics.jsonl and sample grids.
 *
 * Run folder:
 *   run.json           the run's configuration (architecture, data, losses, perceptual net, seed)
 *   metrics.jsonl      one line per step
 *   samples/step-N.png photo | generated grids
 *   checkpoints/step-N/ the last K checkpoints (see checkpoint.ts)
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AbortedError, JapananimeError, RunError } from '../errors.js';
import { initParams, checkParams, type ParamSet } from '../model/params.js';
import { getArchitecture, type ArchitectureName } from '../model/spec.js';
import { adamStep, createAdamState, type AdamState } from './adam.js';
import { celTargets, type CelTargetOptions } from './cel-target.js';
import { listCheckpoints, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { DataLoader } from './data-loader.js';
import { PHOTO_TARGETS_DIR, TARGETS_FILE } from './dataset/layout.js';
import type { TrainBackend } from './gradient-engine.js';
import { DEFAULT_LOSS_WEIGHTS, type LossWeights } from './losses.js';
import { appendMetrics, truncateMetrics, type MetricsLine } from './metrics.js';
import { measureLabQuantilesOfFiles } from './palette.js';
import { describePerceptual, type PerceptualName } from './perceptual/perceptual-net.js';
import { Rng } from './rng.js';
import { writeSampleGrid } from './sample-grid.js';
import { defaultWorkerCount, WorkerPool } from './worker-pool.js';

export const RUN_FILE = 'run.json';
export const SAMPLES_DIR = 'samples';

export { RunError } from '../errors.js';

export type GeneratorName = Extract<ArchitectureName, 'fast' | 'cartoongan'>;

export interface TrainOptions {
  /** Dataset root with photos/{train,val}. Required for a new run; on resume, default: the run's. */
  photos?: string;
  /** Dataset root with anime/ and anime_smooth/. Required when there are GAN steps; on resume, default: the run's. */
  anime?: string;
  /** Run folder. Required. */
  out: string;
  /** Generator architecture. Default: 'fast' (on resume: the run's; another one is an error). */
  arch?: GeneratorName;
  /** Total steps the run reaches, pretraining included. Default: 2000. */
  steps?: number;
  /** Steps of pretraining (content and structure losses, no D) at the start. Default: cartoongan min(200, steps/10); fast 0 (it starts as the photo). On resume: the run's, unless given while the run is still in its pretraining (then it moves the end of the pretraining). */
  pretrainSteps?: number;
  /** Continue the run in `out` from its latest checkpoint. Default: false. */
  resume?: boolean;
  /** Worker threads computing gradients (1 = in-process; webgpu: always 1). Default: the number of cores (webgpu: 1). */
  workers?: number;
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
  /** Steps between checkpoints (the last step and Ctrl-C always write one). Default: 100. */
  checkpointEvery?: number;
  /** Checkpoints kept. Default: 3. */
  keepCheckpoints?: number;
  /** Steps between sample grids (0 = none). Default: 100. */
  sampleEvery?: number;
  /** Images in a sample grid. Default: 4. */
  sampleCount?: number;
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
  /** Cancels at the next step boundary after writing a checkpoint. */
  signal?: AbortSignal;
  /** Called after every step. */
  onStep?: (line: MetricsLine, total: number) => void;
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
  /** The structure loss's target (see TrainOptions). Absent in runs made before it existed: 'cel'. */
  structureTarget?: 'anime' | 'cel';
  /** The content loss's reference (see TrainOptions). Absent in runs made before it existed: 'photo'. */
  contentOn?: 'photo' | 'target';
  perceptual: { name: PerceptualName; layer: string; source: string; licence: string; vgg19Weights?: string };
  seed: number;
  backend: TrainBackend;
  createdAt: string;
  commands: string[];
}

export interface TrainResult {
  runDir: string;
  /** The step reached. */
  step: number;
  /** Seconds of training over all sessions of the run. */
  trainSeconds: number;
  /** Mean seconds per step in this session (steps of this session only). */
  secondsPerStep: number;
  /** Losses of the last step. */
  losses: Record<string, number>;
  checkpoint: string | undefined;
}

function positiveInt(name: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new JapananimeError('E_USAGE', `${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

export async function readRunConfig(runDir: string): Promise<RunConfig> {
  const file = path.join(runDir, RUN_FILE);
  if (!existsSync(file)) throw new RunError(`${runDir} is not a training run (no ${RUN_FILE})`);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RunConfig;
  } catch (cause) {
    throw new RunError(`${file} is unreadable`, cause);
  }
}

async function writeRunConfig(runDir: string, config: RunConfig): Promise<void> {
  const file = path.join(runDir, RUN_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(config, null, 2) + '\n');
  await rename(temp, file);
}

async function newRunConfig(o: TrainOptions): Promise<RunConfig> {
  if (!o.photos) throw new JapananimeError('E_USAGE', 'a new run needs --photos <dataset dir>');
  const steps = o.steps ?? 2000;
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
    backend: o.backend ?? 'wasm',
    createdAt: new Date().toISOString(),
    commands: o.command ? [o.command] : [],
  };
}

interface TrainState {
  step: number;
  g: ParamSet;
  d: ParamSet;
  gAdam: AdamState;
  dAdam: AdamState;
  rng: Rng;
  trainSeconds: number;
}

/** Trains (or resumes) a run up to `steps`. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const runDir = path.resolve(options.out);
  const steps = positiveInt('--steps', options.steps ?? 2000);
  let config: RunConfig;
  let resumeFrom: string | undefined;
  if (options.resume) {
    config = await readRunConfig(runDir);
    // Runs made before a loss term existed hold no weight for it: it stays off for them.
    config.weights = { ...DEFAULT_LOSS_WEIGHTS, ...config.weights };
    if (options.arch && options.arch !== config.arch) {
      throw new RunError(`cannot resume ${runDir} with --arch ${options.arch}: the run was trained with --arch ${config.arch}`);
    }
    const latest = (await listCheckpoints(runDir)).at(-1);
    resumeFrom = latest?.dir;
    if (!latest || !resumeFrom) throw new RunError(`${runDir} has no complete checkpoint to resume from (start it again without --resume)`);
    // Checkpoints hold plain float32 arrays, so a run moves between backends freely (start on a
    // GPU, finish on the CPU); run.json records the backend the latest session used.
    if (options.backend) config.backend = options.backend;
    if (options.photos) config.photos = path.resolve(options.photos);
    if (options.anime) config.anime = path.resolve(options.anime);
    // The pretraining may be shortened or lengthened while the run has not left it yet (a run's
    // sample grids can show that the regression has done what it can): the phase of every step
    // already taken stays as it was, and metrics.jsonl records each step's phase.
    if (options.pretrainSteps !== undefined && options.pretrainSteps !== config.pretrainSteps) {
      const reached = latest.step;
      if (reached > Math.min(config.pretrainSteps, options.pretrainSteps)) {
        throw new RunError(`cannot change --pretrain-steps of ${runDir} to ${options.pretrainSteps}: it is at step ${reached}, past the end of pretraining (${config.pretrainSteps})`);
      }
      config.pretrainSteps = options.pretrainSteps;
    }
    if (options.command) config.commands.push(options.command);
  } else {
    // A run.json without any checkpoint is a run that failed before its first one: start it afresh.
    if (existsSync(path.join(runDir, RUN_FILE)) && (await listCheckpoints(runDir)).length > 0) {
      throw new RunError(`${runDir} already holds a run: pass --resume to continue it, or choose another --out`);
    }
    config = await newRunConfig(options);
    if (config.perceptual.name === 'vgg19') {
      // Check the weights file here: a bad one is a one-line error before any worker starts.
      const { readVgg19Weights } = await import('./perceptual/vgg19.js');
      await readVgg19Weights(config.perceptual.vgg19Weights ?? '', config.perceptual.layer);
    }
  }
  if (config.backend === 'webgpu' && options.workers !== undefined && options.workers !== 1) {
    throw new JapananimeError('E_USAGE', `--workers ${options.workers}: worker threads split the CPU backend's work; --backend webgpu runs in one process (leave --workers out)`);
  }
  const gSpec = getArchitecture(config.arch);
  const dSpec = getArchitecture(config.discriminator);

  const measurePalette = !resumeFrom && (options.celPalette ?? 0) > 0;
  const loader = await DataLoader.open({
    photosDir: config.photos,
    // The anime crops are read by the GAN phase, and listed when the film's palette is measured.
    ...(config.pretrainSteps < steps || measurePalette ? { animeDir: config.anime ?? '' } : {}),
    crop: config.crop,
    seed: config.seed,
    targets: config.structureTarget === 'anime' && config.weights.structure > 0,
  });

  if (measurePalette) {
    // The palette is measured once, when the run starts, and kept in run.json: a resumed run (or a
    // changed data set) trains to the same target.
    config.cel = {
      ...config.cel,
      palette: { photo: await measureLabQuantilesOfFiles(loader.photoFiles), anime: await measureLabQuantilesOfFiles(loader.animeFiles) },
      paletteStrength: options.celPalette!,
    };
  }

  let state: TrainState;
  if (resumeFrom) {
    const ck = await readCheckpoint(resumeFrom);
    if (ck.generator !== config.arch) throw new RunError(`checkpoint ${resumeFrom} holds a ${ck.generator} generator, the run says ${config.arch}`);
    const problem = checkParams(gSpec, ck.g) ?? checkParams(dSpec, ck.d);
    if (problem) throw new RunError(`checkpoint ${resumeFrom} does not fit the run: ${problem}`);
    const rng = new Rng(0);
    rng.setState(ck.rngState);
    loader.setState(ck.loader);
    state = { step: ck.step, g: ck.g, d: ck.d, gAdam: ck.gAdam, dAdam: ck.dAdam, rng, trainSeconds: ck.trainSeconds };
    await truncateMetrics(runDir, ck.step);
  } else {
    await mkdir(runDir, { recursive: true });
    await truncateMetrics(runDir, 0);
    const g = initParams(gSpec, config.seed, { identityStart: true });
    const d = initParams(dSpec, config.seed + 1);
    state = { step: 0, g, d, gAdam: createAdamState(g), dAdam: createAdamState(d), rng: new Rng(config.seed ^ 0x5eed), trainSeconds: 0 };
  }
  await writeRunConfig(runDir, config);

  const result: TrainResult = { runDir, step: state.step, trainSeconds: state.trainSeconds, secondsPerStep: 0, losses: {}, checkpoint: resumeFrom };
  if (state.step >= steps) return result;

  const pool = await WorkerPool.create(
    {
      generator: config.arch,
      discriminator: config.discriminator,
      perceptual: { name: config.perceptual.name, layer: config.perceptual.layer, ...(config.perceptual.vgg19Weights ? { weightsPath: config.perceptual.vgg19Weights } : {}) },
      backend: config.backend,
      ...(config.cel ? { cel: config.cel } : {}),
      contentOn: config.contentOn ?? 'photo',
    },
    { workers: options.workers ?? (config.backend === 'webgpu' ? 1 : defaultWorkerCount()) },
  );
  const checkpointEvery = options.checkpointEvery ?? 100;
  const sampleEvery = options.sampleEvery ?? 100;
  const keep = options.keepCheckpoints ?? 3;
  const save = async (): Promise<string> => writeCheckpoint(runDir, {
    step: state.step, generator: config.arch, discriminator: config.discriminator, g: state.g, d: state.d, gAdam: state.gAdam, dAdam: state.dAdam,
    rngState: state.rng.getState(), loader: loader.getState(), trainSeconds: state.trainSeconds,
  }, keep);
  let sessionSeconds = 0;
  let sessionSteps = 0;
  let lastSaved = resumeFrom !== undefined ? state.step : -1;
  try {
    const samples = sampleEvery > 0 ? await loader.fixedPhotos(options.sampleCount ?? 4) : undefined;
    // The structure loss's targets of the sample photos, made once: the grid's middle column.
    const sampleTargets = samples && config.weights.structure > 0 ? samples.targets ?? celTargets(samples.photos, samples.n, config.crop, config.cel) : undefined;
    while (state.step < steps) {
      if (options.signal?.aborted) {
        if (lastSaved !== state.step) result.checkpoint = await save();
        throw new AbortedError(`stopped at step ${state.step}; resume with --resume`);
      }
      const started = performance.now();
      const step = state.step + 1;
      const phase = step <= config.pretrainSteps ? 'pretrain' : 'gan';
      const batch = await loader.next(config.batch, state.rng, phase === 'gan');
      const grads = await pool.step({ phase, n: config.batch, size: config.crop, ...batch }, config.weights, phase === 'gan' ? { g: state.g, d: state.d } : { g: state.g });
      const lr = phase === 'pretrain' ? config.pretrainLr ?? config.lr : config.lr;
      const adam = { lr, beta1: config.beta1, beta2: config.beta2 };
      adamStep(state.g, grads.gGrads, state.gAdam, adam);
      if (grads.dGrads) adamStep(state.d, grads.dGrads, state.dAdam, adam);
      const seconds = (performance.now() - started) / 1000;
      state.step = step;
      state.trainSeconds += seconds;
      sessionSeconds += seconds;
      sessionSteps += 1;
      const line: MetricsLine = { step, phase, lr, seconds: Math.round(seconds * 1000) / 1000, workerSeconds: Math.round(grads.workerSeconds * 1000) / 1000, losses: grads.losses, time: new Date().toISOString() };
      await appendMetrics(runDir, line);
      result.losses = grads.losses;
      options.onStep?.(line, steps);
      if (samples && samples.n > 0 && (step % sampleEvery === 0 || step === steps)) {
        const generated = await pool.generate(state.g, samples.photos, samples.n, config.crop);
        await mkdir(path.join(runDir, SAMPLES_DIR), { recursive: true });
        await writeSampleGrid(path.join(runDir, SAMPLES_DIR, `step-${String(step).padStart(8, '0')}.png`), [samples.photos, ...(sampleTargets ? [sampleTargets] : []), generated], samples.n, config.crop);
      }
      if (step % checkpointEvery === 0 || step === steps) {
        result.checkpoint = await save();
        lastSaved = step;
      }
    }
  } finally {
    await pool.close();
  }
  result.step = state.step;
  result.trainSeconds = state.trainSeconds;
  result.secondsPerStep = sessionSteps > 0 ? sessionSeconds / sessionSteps : 0;
  return result;
}
