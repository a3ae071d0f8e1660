/**
 * The trainer: a pretraining phase (content loss only) and then the GAN phase, data parallel over
 * worker threads, with resumable checkpoints, metrics.jsonl and sample grids.
 *
 * Run folder:
 *   run.json           the run's configuration (architecture, data, losses, perceptual net, seed;
 *                      see run-config.ts)
 *   metrics.jsonl      one line per step
 *   samples/step-N.png photo | generated grids
 *   checkpoints/step-N/ the last K checkpoints (see checkpoint.ts)
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AbortedError, JapananimeError, RunError } from '../errors.js';
import { initParams, checkParams, type ParamSet } from '../model/params.js';
import { getArchitecture } from '../model/spec.js';
import { loadModelPackage } from '../model/model-package.js';
import { adamStep, createAdamState, type AdamState } from './adam.js';
import { celTargets } from './cel-target.js';
import { listCheckpoints, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { DataLoader } from './data-loader.js';
import { DEFAULT_LOSS_WEIGHTS } from './losses.js';
import { appendMetrics, truncateMetrics, type MetricsLine } from './metrics.js';
import { measureLabQuantilesOfFiles } from './palette.js';
import { Rng } from './rng.js';
import { newRunConfig, readRunConfig, RUN_FILE, runSteps, writeRunConfig, type RunConfig, type RunConfigOptions } from './run-config.js';
import { writeSampleGrid } from './sample-grid.js';
import { defaultWorkerCount, WorkerPool } from './worker-pool.js';

export const SAMPLES_DIR = 'samples';

export { RunError } from '../errors.js';

/** What train() takes: the run's settings (RunConfigOptions) and how this session runs it. */
export interface TrainOptions extends RunConfigOptions {
  /** Run folder. Required. */
  out: string;
  /** Continue the run in `out` from its latest checkpoint. Default: false. */
  resume?: boolean;
  /** Worker threads computing gradients (1 = in-process; webgpu: always 1). Default: the number of cores (webgpu: 1). */
  workers?: number;
  /** Steps between checkpoints (the last step and Ctrl-C always write one). Default: 100. */
  checkpointEvery?: number;
  /** Checkpoints kept. Default: 3. */
  keepCheckpoints?: number;
  /** Steps between sample grids (0 = none). Default: 100. */
  sampleEvery?: number;
  /** Images in a sample grid. Default: 4. */
  sampleCount?: number;
  /** Cancels at the next step boundary after writing a checkpoint. */
  signal?: AbortSignal;
  /** Called after every step. */
  onStep?: (line: MetricsLine, total: number) => void;
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

interface TrainState {
  step: number;
  g: ParamSet;
  d: ParamSet;
  gAdam: AdamState;
  dAdam: AdamState;
  rng: Rng;
  trainSeconds: number;
}

/** The weights of a package the generator starts from (`init`): the run's architecture, checked. */
async function initialGenerator(dir: string, arch: string): Promise<ParamSet> {
  let pkg;
  try {
    pkg = await loadModelPackage(dir);
  } catch (err) {
    throw new RunError(`cannot start from ${dir}: ${(err as Error).message}`, err);
  }
  if (pkg.spec.name !== arch) throw new RunError(`cannot start a ${arch} run from ${dir}: it is a ${pkg.spec.name} package`);
  return pkg.params;
}

/** Trains (or resumes) a run up to `steps`. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const runDir = path.resolve(options.out);
  const steps = runSteps(options);
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
    const g = config.init === undefined ? initParams(gSpec, config.seed, { identityStart: true }) : await initialGenerator(config.init, config.arch);
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
