/**
 * Computes one share of a training step: the gradients of G (and, in the GAN phase, of D) on a slice
 * of the batch. Each worker thread owns one; with `--workers 1` (and always on webgpu, where one
 * process drives the GPU) the trainer uses one in-process. Results are read asynchronously: the
 * webgpu backend cannot read a GPU tensor synchronously in Node (its readSync needs a canvas).
 * Losses are means over the share, so the trainer's share-weighted average of the gradients is the
 * gradient of the full batch.
 */
import { ClosedError } from '../errors.js';
import * as tf from '@tensorflow/tfjs';
import type { ParamSet } from '../model/params.js';
import { getArchitecture, type ArchitectureName } from '../model/spec.js';
import { forward, paramsToVariables } from '../model/tfjs-forward.js';
import { celTargets, type CelTargetOptions } from './cel-target.js';
import { bceWithLogits, contentLoss, discriminatorLoss, gradientLoss, structureLoss, styleLoss, type LossWeights } from './losses.js';
import { registerTrainingKernels, registerWebGpuTrainingKernels } from './kernels/register-training-kernels.js';
import { loadPerceptualNet, type PerceptualConfig, type PerceptualNet } from './perceptual/perceptual-net.js';

/** The tfjs backend gradients are computed on: CPU (wasm worker threads, or pure-JS cpu for tests) or a GPU. */
export type TrainBackend = 'wasm' | 'cpu' | 'webgpu';

/** Everything a gradient engine needs once (plain data, sent to workers). */
export interface GradientEngineInit {
  generator: ArchitectureName;
  discriminator: ArchitectureName;
  perceptual: PerceptualConfig;
  backend: TrainBackend;
  /** Pixels (images × size²) of one pass through the networks; larger shares run in chunks. Default: MAX_PIXELS_PER_PASS. */
  maxPixelsPerPass?: number;
  /** How the structure loss's cel-shaded targets are made (palette included). Default: celTarget's defaults. */
  cel?: CelTargetOptions;
  /** What the content loss compares the generated image's features with. Default: 'photo'. */
  contentOn?: 'photo' | 'target';
}

/**
 * One GAN pass over 4 images of 256² overflows the wasm backend's 4 GB heap (it aborts), so a share
 * larger than 2 × 256² pixels is run in chunks whose gradients and losses are averaged by size: every
 * loss is a mean over images, so this is the same gradient as one pass, in bounded memory.
 */
export const MAX_PIXELS_PER_PASS = 2 * 256 * 256;

/** The full-batch gradient: share gradients weighted by share size. */
export function averageGradients(results: { n: number; grads: Map<string, Float32Array> }[]): Map<string, Float32Array> {
  const total = results.reduce((a, r) => a + r.n, 0);
  const out = new Map<string, Float32Array>();
  for (const r of results) {
    const w = r.n / total;
    for (const [name, g] of r.grads) {
      let acc = out.get(name);
      if (!acc) {
        acc = new Float32Array(g.length);
        out.set(name, acc);
      }
      for (let i = 0; i < g.length; i++) acc[i]! += w * g[i]!;
    }
  }
  return out;
}

/** Size-weighted means of the shares' losses: the whole batch's losses. */
export function averageLosses(results: { n: number; losses: Record<string, number> }[]): Record<string, number> {
  const total = results.reduce((a, r) => a + r.n, 0);
  const out: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.losses)) out[k] = (out[k] ?? 0) + (v * r.n) / total;
  return out;
}

/** Images [offset, offset+n) of a batch or share, copied (worker threads take ownership of them). */
export function sliceImages(batch: StepImages, offset: number, n: number): StepImages {
  const per = batch.size * batch.size * 3;
  const part = (a: Float32Array | undefined): Float32Array | undefined => a?.slice(offset * per, (offset + n) * per);
  const out: StepImages = { phase: batch.phase, n, size: batch.size, photos: part(batch.photos)! };
  const targets = part(batch.targets);
  const anime = part(batch.anime);
  const smooth = part(batch.smooth);
  if (targets) out.targets = targets;
  if (anime) out.anime = anime;
  if (smooth) out.smooth = smooth;
  return out;
}

/** Parts of one batch combined into the batch's result: size-weighted gradients and losses. */
export function combineShares(parts: ShareResult[]): ShareResult {
  const n = parts.reduce((a, p) => a + p.n, 0);
  const result: ShareResult = { n, gGrads: averageGradients(parts.map((p) => ({ n: p.n, grads: p.gGrads }))), losses: averageLosses(parts) };
  if (parts.every((p) => p.dGrads)) result.dGrads = averageGradients(parts.map((p) => ({ n: p.n, grads: p.dGrads! })));
  return result;
}

/** The images of one step or share: `n` images of size×size per kind, NHWC float32 in [-1, 1]. */
export interface StepImages {
  phase: 'pretrain' | 'gan';
  n: number;
  size: number;
  photos: Float32Array;
  /** The photos' precomputed structure targets (anime-target.ts); absent: cel targets made here. */
  targets?: Float32Array;
  /** GAN phase only. */
  anime?: Float32Array;
  /** GAN phase only: the edge-smoothed copies of `anime`. */
  smooth?: Float32Array;
}

/** One share of one step: its images, the loss weights and (when changed) the parameters. */
export interface ShareRequest extends StepImages {
  weights: LossWeights;
  /** Current parameters; omitted when unchanged since the last request. */
  g?: ParamSet;
  d?: ParamSet;
}

export interface ShareResult {
  n: number;
  gGrads: Map<string, Float32Array>;
  /** GAN phase only. */
  dGrads?: Map<string, Float32Array>;
  /** Scalar losses of this share (means over the share). */
  losses: Record<string, number>;
  /** Seconds the gradient computation took in the worker. */
  seconds?: number;
}

export async function initTrainingBackend(backend: TrainBackend): Promise<void> {
  if (backend === 'wasm') {
    const { initTfjs } = await import('../engine/tfjs-backend.js');
    await initTfjs('wasm');
    registerTrainingKernels();
  } else if (backend === 'webgpu') {
    const { initTfjs } = await import('../engine/tfjs-backend.js');
    await initTfjs('webgpu');
    await registerWebGpuTrainingKernels();
  } else {
    await tf.setBackend('cpu');
    await tf.ready();
  }
}

/**
 * The generator's loss terms both phases share, weighted: content (to the photo's features) and, when
 * a target is given, structure (to the cel-shaded photo). The unweighted scalars are kept in `parts`.
 */
function photoTerms(parts: Record<string, tf.Scalar>, w: LossWeights, gen: tf.Tensor4D, genFeatures: tf.Tensor4D, photoFeatures: tf.Tensor4D, cel: tf.Tensor4D | undefined): tf.Scalar[] {
  parts['content'] = tf.keep(contentLoss(photoFeatures, genFeatures));
  const terms = [tf.mul(parts['content'], w.content) as tf.Scalar];
  if (cel) {
    parts['structure'] = tf.keep(structureLoss(cel, gen));
    terms.push(tf.mul(parts['structure'], w.structure) as tf.Scalar);
    if (w.gradient > 0) {
      parts['gradient'] = tf.keep(gradientLoss(cel, gen));
      terms.push(tf.mul(parts['gradient'], w.gradient) as tf.Scalar);
    }
  }
  return terms;
}

/** Copies scalar tensors into `losses` under their keys and disposes them. */
async function readScalars(scalars: Record<string, tf.Scalar>, losses: Record<string, number>): Promise<void> {
  for (const [k, t] of Object.entries(scalars)) {
    losses[k] = (await t.data())[0]!;
    t.dispose();
  }
}

let nextEngineId = 0;

export class GradientEngine {
  private readonly gSpec;
  private readonly dSpec;
  private gVars: Record<string, tf.Variable> | undefined;
  private dVars: Record<string, tf.Variable> | undefined;
  private closed = false;
  /** tfjs variable names are global to the process; several engines (tests) must not collide. */
  private readonly id = nextEngineId++;

  private readonly maxPixelsPerPass: number;
  private readonly cel: CelTargetOptions;
  private readonly contentOn: 'photo' | 'target';

  private constructor(init: GradientEngineInit, private readonly perceptual: PerceptualNet) {
    this.gSpec = getArchitecture(init.generator);
    this.dSpec = getArchitecture(init.discriminator);
    this.maxPixelsPerPass = init.maxPixelsPerPass ?? MAX_PIXELS_PER_PASS;
    this.cel = init.cel ?? {};
    this.contentOn = init.contentOn ?? 'photo';
  }

  static async create(init: GradientEngineInit): Promise<GradientEngine> {
    await initTrainingBackend(init.backend);
    const net = await loadPerceptualNet(init.perceptual);
    return new GradientEngine(init, net);
  }

  private load(which: 'g' | 'd', params: ParamSet): void {
    const current = which === 'g' ? this.gVars : this.dVars;
    if (!current) {
      const vars = paramsToVariables(params, true, `engine${this.id}/${which}/`);
      if (which === 'g') this.gVars = vars;
      else this.dVars = vars;
      return;
    }
    for (const [name, p] of params) {
      const v = current[name];
      if (!v) throw new RangeError(`unknown parameter '${name}'`);
      tf.tidy(() => v.assign(tf.tensor(p.data, p.shape, 'float32')));
    }
  }

  async compute(req: ShareRequest): Promise<ShareResult> {
    const started = performance.now();
    const perPass = Math.max(1, Math.floor(this.maxPixelsPerPass / (req.size * req.size)));
    let result: ShareResult;
    if (req.n <= perPass) {
      result = await this.computeShare(req);
    } else {
      const parts: ShareResult[] = [];
      for (let offset = 0; offset < req.n; offset += perPass) {
        // Parameters travel with the first chunk only: they are loaded once.
        const params = offset === 0 ? { g: req.g, d: req.d } : {};
        parts.push(await this.computeShare({ ...sliceImages(req, offset, Math.min(perPass, req.n - offset)), weights: req.weights, ...params }));
      }
      result = combineShares(parts);
    }
    result.seconds = (performance.now() - started) / 1000;
    return result;
  }

  private async computeShare(req: ShareRequest): Promise<ShareResult> {
    if (this.closed) throw new ClosedError('the gradient engine');
    if (req.g) this.load('g', req.g);
    if (req.d) this.load('d', req.d);
    const gVars = this.gVars;
    if (!gVars) throw new Error('no generator parameters loaded');
    const shape: [number, number, number, number] = [req.n, req.size, req.size, 3];
    const losses: Record<string, number> = {};
    const w = req.weights;
    const photos = tf.tensor4d(req.photos, shape);
    // The structure loss's target: the precomputed anime targets that came with the photos, else the
    // cel target made here from them (each worker makes its share's in parallel).
    const cel = w.structure > 0 ? tf.tensor4d(req.targets ?? celTargets(req.photos, req.n, req.size, this.cel), shape) : undefined;
    try {
      // The content loss's reference: the photo (CartoonGAN), or the target, whose features are the
      // photo's content already drawn flat with outlines (a perceptual loss towards the target is
      // what keeps edges crisp where the pixel L1 alone settles for a blur).
      const photoFeatures = tf.tidy(() => this.perceptual.features(this.contentOn === 'target' && cel ? cel : photos));
      try {
        if (req.phase === 'pretrain') {
          const parts: Record<string, tf.Scalar> = {};
          const { value, grads } = tf.variableGrads(() => {
            const gen = forward(this.gSpec, gVars, photos);
            return tf.addN(photoTerms(parts, w, gen, this.perceptual.features(gen), photoFeatures, cel)) as tf.Scalar;
          }, Object.values(gVars));
          await readScalars({ g_total: value, ...parts }, losses);
          return { n: req.n, gGrads: await this.readGrads(grads, gVars), losses };
        }
        const dVars = this.dVars;
        if (!dVars || !req.anime || !req.smooth) throw new Error('the GAN phase needs D parameters, anime and smoothed images');
        const anime = tf.tensor4d(req.anime, shape);
        const smooth = tf.tensor4d(req.smooth, shape);
        try {
          const animeFeatures = tf.tidy(() => this.perceptual.features(anime));
          let generated: tf.Tensor4D | undefined;
          try {
            // G step: D's parameters are not in the variable list, so only G's gradients are taken.
            const parts: Record<string, tf.Scalar> = {};
            const gOut = tf.variableGrads(() => {
              const gen = forward(this.gSpec, gVars, photos);
              generated = tf.keep(tf.clone(gen));
              const genFeatures = this.perceptual.features(gen);
              const terms = photoTerms(parts, w, gen, genFeatures, photoFeatures, cel);
              parts['style'] = tf.keep(styleLoss(animeFeatures, genFeatures));
              parts['g_adv'] = tf.keep(bceWithLogits(forward(this.dSpec, dVars, gen), 1));
              terms.push(tf.mul(parts['style'], w.style), tf.mul(parts['g_adv'], w.adversarial));
              return tf.addN(terms) as tf.Scalar;
            }, Object.values(gVars));
            await readScalars({ g_total: gOut.value, ...parts }, losses);
            const gGrads = await this.readGrads(gOut.grads, gVars);
            // D step on the same (detached) generated images, with the weights D had at the start of the step.
            const fake = generated!;
            const dParts: Record<string, tf.Scalar> = {};
            const dOut = tf.variableGrads(() => {
              const batch = tf.concat([anime, fake, smooth], 0) as tf.Tensor4D;
              const logits = forward(this.dSpec, dVars, batch);
              const [real, fakeLogits, smoothLogits] = tf.split(logits, 3, 0);
              const d = discriminatorLoss(real!, fakeLogits!, smoothLogits!, w.edge);
              dParts['d_real'] = tf.keep(d.real);
              dParts['d_fake'] = tf.keep(d.fake);
              dParts['d_smooth'] = tf.keep(d.smooth);
              return d.total;
            }, Object.values(dVars));
            await readScalars({ d_total: dOut.value, ...dParts }, losses);
            return { n: req.n, gGrads, dGrads: await this.readGrads(dOut.grads, dVars), losses };
          } finally {
            animeFeatures.dispose();
            generated?.dispose();
          }
        } finally {
          anime.dispose();
          smooth.dispose();
        }
      } finally {
        photoFeatures.dispose();
      }
    } finally {
      photos.dispose();
      cel?.dispose();
    }
  }

  /** Gradients keyed by parameter name (variableGrads keys them by variable name, which has a prefix). */
  private async readGrads(grads: tf.NamedTensorMap, vars: Record<string, tf.Variable>): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    try {
      for (const [name, v] of Object.entries(vars)) {
        const g = grads[v.name];
        out.set(name, g ? new Float32Array((await g.data()) as Float32Array) : new Float32Array(v.size));
      }
    } finally {
      for (const g of Object.values(grads)) g.dispose();
    }
    return out;
  }

  /** Runs G on images (for sample grids); returns NHWC in [-1, 1]. */
  async generate(g: ParamSet, photos: Float32Array, n: number, size: number): Promise<Float32Array> {
    this.load('g', g);
    const gVars = this.gVars;
    if (!gVars) throw new Error('no generator parameters loaded');
    const out = tf.tidy(() => forward(this.gSpec, gVars, tf.tensor4d(photos, [n, size, size, 3])));
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const v of [...Object.values(this.gVars ?? {}), ...Object.values(this.dVars ?? {})]) v.dispose();
    this.perceptual.dispose();
  }
}
