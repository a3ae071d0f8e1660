import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { train } from '../../train/trainer.js';
import type { CommandModule } from '../command-module.js';
import { createProgress } from '../progress.js';

const help = `Usage: japananime train --photos <dir> --anime <dir> --out <run> [options]
       japananime train --out <run> --resume --steps N

Trains a generator: pretraining without D (content, and structure when --structure-weight > 0),
then the GAN phase (adversarial + content + style + structure), data parallel over worker threads. Writes <run>/metrics.jsonl (one line per step), sample grids in
<run>/samples, and checkpoints in <run>/checkpoints; Ctrl-C writes a checkpoint and stops.

Options:
  --photos DIR          dataset folder with photos/{train,val} (from 'japananime dataset photos')
  --anime DIR           dataset folder with anime/ and anime_smooth/ (from 'japananime dataset film')
  --out DIR             run folder (required)
  --arch A              fast | cartoongan (default: fast)
  --steps N             total steps the run reaches, pretraining included (default: 2000)
  --pretrain-steps N    steps without D at the start: content (+ structure) losses only;
                        with --resume, moves the end of a pretraining not yet finished
                        (default: cartoongan min(200, steps/10); fast 0: it starts as the photo)
  --resume              continue the run in --out from its latest checkpoint up to --steps
  --workers N           gradient worker threads (default: number of cores; 1 = in-process;
                        not with --backend webgpu)
  --batch N             images per step (default: 4)
  --crop N              training crop size, a multiple of 4 (default: 256)
  --lr X                Adam learning rate (default: 1e-4)
  --pretrain-lr X       learning rate of the pretraining steps (default: --lr)
  --beta1 X             Adam beta1 (default: 0.5)
  --content-weight X    content loss weight (default: 10)
  --style-weight X      style (Gram) loss weight (default: 1)
  --adv-weight X        generator adversarial loss weight (default: 1)
  --edge-weight X       weight of D's smoothed-anime term (default: 1)
  --structure-weight X  L1 to the photo's target (flat colour, outlines) (default: 0)
  --gradient-weight X   L1 between the pixel differences of the output and of the target: flat
                        regions and the target's sharp borders, whatever the colours (default: 0)
  --target anime|cel    the structure target: 'anime' = the photos' precomputed anime targets
                        ('japananime dataset targets <photos>': graded, L0-flattened, outlined);
                        'cel' = the bilateral cel target below, made each step
                        (default: anime when the photo dataset has its targets, else cel)
  --content-on photo|target  content loss against the photo's features (CartoonGAN) or the
                        target's (sharper outlines, flatter regions) (default: photo)
  The cel-shaded target (--target cel; fixed for the run's lifetime):
  --cel-palette X       grade its colours towards the film's palette, measured from the photo
                        and anime crops, 0..1 (default: 0, the photo's colours)
  --cel-saturation X    chroma scale after the palette (default: 1)
  --cel-passes N        bilateral filter passes: how flat the regions get (default: 3)
  --cel-radius N        bilateral window radius and spatial sigma, pixels (default: 2)
  --cel-range X         bilateral range sigma, RGB in 0..1: larger merges more (default: 0.1)
  --cel-lines X         outline darkness, 0 = none, 1 = black (default: 0.6)
  --cel-line-pass N     outlines found after pass N: 1 = texture too, --cel-passes = region
                        borders only (default: 1)
  --perceptual P        mobilenetv2 | vgg19 (default: mobilenetv2, works offline)
  --perceptual-layer L  feature layer (default: block_6_expand_relu / block4_conv4)
  --vgg19-weights FILE  Keras vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 (for --perceptual vgg19)
  --seed N              seed of weights, data order, crops (default: 0)
  --init <model-dir>    start the generator from this package's weights (same --arch) instead of
                        the seed's: fine-tuning or distilling (default: none)
  --checkpoint-every N  steps between checkpoints (default: 100)
  --keep N              checkpoints kept (default: 3)
  --sample-every N      steps between sample grids, 0 = none (default: 100)
  --backend B           wasm | webgpu | cpu (default: wasm; on --resume the run's last).
                        webgpu trains on a GPU (Vulkan, Metal or D3D12 driver) in one process;
                        checkpoints are the same on every backend, so a run may switch on --resume.
                        'japananime doctor' lists the WebGPU adapters found
  --json                one JSON line per step, then a summary
`;

function num(name: string, text: string | undefined, opts: { int?: boolean; min?: number } = {}): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || (opts.int && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min)) {
    throw new UsageError(`--${name} must be ${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}, not '${text}'`);
  }
  return n;
}

/** `{ [key]: value }`, or nothing when the flag was not given (an option passed as undefined would override a default). */
function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

export const command: CommandModule = {
  summary: 'train a style (pretraining + GAN), resumable, data parallel',
  help,
  async run(argv, signal) {
    const { values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        photos: { type: 'string' }, anime: { type: 'string' }, out: { type: 'string' }, arch: { type: 'string' },
        steps: { type: 'string' }, 'pretrain-steps': { type: 'string' }, resume: { type: 'boolean', default: false },
        workers: { type: 'string' }, batch: { type: 'string' }, crop: { type: 'string' }, lr: { type: 'string' }, 'pretrain-lr': { type: 'string' },
        beta1: { type: 'string' }, 'content-weight': { type: 'string' }, 'style-weight': { type: 'string' },
        'adv-weight': { type: 'string' }, 'edge-weight': { type: 'string' }, 'structure-weight': { type: 'string' }, 'gradient-weight': { type: 'string' },
        'cel-palette': { type: 'string' }, 'cel-saturation': { type: 'string' }, 'cel-passes': { type: 'string' }, 'cel-radius': { type: 'string' },
        'cel-range': { type: 'string' }, 'cel-lines': { type: 'string' }, 'cel-line-pass': { type: 'string' }, perceptual: { type: 'string' },
        'perceptual-layer': { type: 'string' }, 'vgg19-weights': { type: 'string' }, seed: { type: 'string' }, init: { type: 'string' },
        'checkpoint-every': { type: 'string' }, keep: { type: 'string' }, 'sample-every': { type: 'string' },
        backend: { type: 'string' }, json: { type: 'boolean', default: false },
        target: { type: 'string' }, 'content-on': { type: 'string' },
      },
    });
    if (!values.out) throw new UsageError('train needs --out <run folder>');
    if (values.arch !== undefined && values.arch !== 'fast' && values.arch !== 'cartoongan') throw new UsageError(`--arch must be fast or cartoongan, not '${values.arch}'`);
    if (values.perceptual !== undefined && values.perceptual !== 'mobilenetv2' && values.perceptual !== 'vgg19') throw new UsageError(`--perceptual must be mobilenetv2 or vgg19, not '${values.perceptual}'`);
    if (values.backend !== undefined && values.backend !== 'wasm' && values.backend !== 'webgpu' && values.backend !== 'cpu') throw new UsageError(`--backend must be wasm, webgpu or cpu, not '${values.backend}'`);
    if (values.target !== undefined && values.target !== 'anime' && values.target !== 'cel') throw new UsageError(`--target must be anime or cel, not '${values.target}'`);
    if (values['content-on'] !== undefined && values['content-on'] !== 'photo' && values['content-on'] !== 'target') throw new UsageError(`--content-on must be photo or target, not '${values['content-on']}'`);
    if (!values.resume && !values.photos) throw new UsageError('a new run needs --photos <dir> (or --resume)');
    const weights: Record<string, number> = {};
    for (const [flag, key] of [['content-weight', 'content'], ['style-weight', 'style'], ['adv-weight', 'adversarial'], ['edge-weight', 'edge'], ['structure-weight', 'structure'], ['gradient-weight', 'gradient']] as const) {
      const v = num(flag, values[flag], { min: 0 });
      if (v !== undefined) weights[key] = v;
    }
    const celPalette = num('cel-palette', values['cel-palette'], { min: 0 });
    if (celPalette !== undefined && celPalette > 1) throw new UsageError(`--cel-palette must be between 0 and 1, not '${values['cel-palette']}'`);
    const radius = num('cel-radius', values['cel-radius'], { int: true, min: 1 });
    const cel = {
      ...optional('saturation', num('cel-saturation', values['cel-saturation'], { min: 0 })),
      ...optional('iterations', num('cel-passes', values['cel-passes'], { int: true, min: 0 })),
      ...optional('radius', radius),
      ...optional('sigmaSpace', radius),
      ...optional('sigmaRange', num('cel-range', values['cel-range'], { min: 0.001 })),
      ...optional('lineStrength', num('cel-lines', values['cel-lines'], { min: 0 })),
      ...optional('linePass', num('cel-line-pass', values['cel-line-pass'], { int: true, min: 1 })),
    };
    const progress = createProgress({ json: values.json, unit: 'steps', label: 'train' });
    const result = await train({
      photos: values.photos,
      anime: values.anime,
      out: values.out,
      arch: values.arch as 'fast' | 'cartoongan' | undefined,
      steps: num('steps', values.steps, { int: true, min: 1 }),
      pretrainSteps: num('pretrain-steps', values['pretrain-steps'], { int: true, min: 0 }),
      resume: values.resume,
      workers: num('workers', values.workers, { int: true, min: 1 }),
      batch: num('batch', values.batch, { int: true, min: 1 }),
      crop: num('crop', values.crop, { int: true, min: 16 }),
      lr: num('lr', values.lr, { min: 0 }),
      pretrainLr: num('pretrain-lr', values['pretrain-lr'], { min: 0 }),
      beta1: num('beta1', values.beta1, { min: 0 }),
      weights,
      cel,
      celPalette,
      ...(values.target !== undefined ? { structureTarget: values.target as 'anime' | 'cel' } : {}),
      ...(values['content-on'] !== undefined ? { contentOn: values['content-on'] as 'photo' | 'target' } : {}),
      perceptual: values.perceptual as 'mobilenetv2' | 'vgg19' | undefined,
      perceptualLayer: values['perceptual-layer'],
      vgg19Weights: values['vgg19-weights'],
      seed: num('seed', values.seed, { int: true, min: 0 }),
      ...(values.init !== undefined ? { init: values.init } : {}),
      checkpointEvery: num('checkpoint-every', values['checkpoint-every'], { int: true, min: 1 }),
      keepCheckpoints: num('keep', values.keep, { int: true, min: 1 }),
      sampleEvery: num('sample-every', values['sample-every'], { int: true, min: 0 }),
      backend: values.backend as 'wasm' | 'webgpu' | 'cpu' | undefined,
      command: ['japananime', 'train', ...argv].join(' '),
      signal,
      onStep: (line, total) => {
        if (values.json) process.stdout.write(JSON.stringify({ type: 'step', ...line }) + '\n');
        else progress.update(line.step, total, { phase: line.phase });
      },
    });
    progress.finish({ ...result });
    if (!values.json) {
      const losses = Object.entries(result.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
      process.stderr.write(`trained ${result.runDir} to step ${result.step} (${result.secondsPerStep.toFixed(2)} s/step this session)${losses ? `: ${losses}` : ''}\n`);
    }
    return 0;
  },
};
