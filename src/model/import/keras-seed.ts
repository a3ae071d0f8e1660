/**
 * The seed's Keras generator weights (`generator.save_weights('….h5')` in its model.py) as a
 * `cartoongan-seed` package: model.onnx, meta.json and tfjs weights, so it runs everywhere here and
 * can be trained further.
 *
 * The file (Keras' HDF5 weights layout): the root attribute `layer_names` lists the Sequential's
 * layers — Flatten_Conv2D, Down_Conv2D_1/_2, Residual_unit_1…_8, Up_Conv2D_1/_2 and the final
 * Conv2D (Keras names it, e.g. conv2d_37) — and each layer's group lists its weights in creation
 * order in the attribute `weight_names`, the datasets at `<layer>/<weight name>`. Kernels are in
 * Keras' layout, which is ours (conv [k,k,cin,cout], transposed conv [k,k,cout,cin]); each
 * keras-contrib InstanceNormalization() holds a scalar gamma and beta. So the weights, in file
 * order, are exactly the parameters of `cartoongan-seed` in its canonical order after its
 * `range_in` conv, which the import fills with the exact [-1,1] → [0,1] map. The seed's output is
 * RGB in [0,1]: conv_out is scaled to give [-1,1] instead (2·W, 2·b − 1), which is exact.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { openHdf5 } from '../hdf5-file.js';
import type { ModelPackage } from '../model-package.js';
import type { ParamSet } from '../params.js';
import { describeParameters, getArchitecture } from '../spec.js';
import { importedNativePackage, type ImportRecord } from './package-writer.js';

/** The seed generator's layer names, in order (the last, the plain Conv2D, is named by Keras). */
export const SEED_LAYERS = ['Flatten_Conv2D', 'Down_Conv2D_1', 'Down_Conv2D_2', ...Array.from({ length: 8 }, (_, i) => `Residual_unit_${i + 1}`), 'Up_Conv2D_1', 'Up_Conv2D_2'];

interface H5Node {
  keys?: () => string[];
  get?: (name: string) => H5Node | null;
  attrs?: Record<string, { value: unknown }>;
  shape?: number[] | null;
  value?: unknown;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** Reads the weights in file order, or throws InputError naming what is not the seed's generator. */
export async function readSeedWeights(file: string): Promise<Array<{ name: string; shape: number[]; data: Float32Array }>> {
  if (!existsSync(file)) throw new InputError('E_INPUT_MISSING', `model file not found: ${file}`);
  const h5 = await openHdf5(file);
  try {
    const root = h5 as unknown as H5Node;
    const layerNames = strings(root.attrs?.['layer_names']?.value);
    const expected = `${SEED_LAYERS.join(', ')}, <final Conv2D>`;
    const matches = layerNames.length === SEED_LAYERS.length + 1 && SEED_LAYERS.every((n, i) => layerNames[i] === n);
    if (!matches) {
      const got = layerNames.length > 0 ? layerNames.slice(0, 4).join(', ') + (layerNames.length > 4 ? ', …' : '') : 'no layer_names attribute';
      throw new InputError('E_INPUT_INVALID', `${file} is not the seed's generator weights (expected Keras layers ${expected}; found ${got})`);
    }
    const keys = new Set(root.keys?.() ?? []);
    const out: Array<{ name: string; shape: number[]; data: Float32Array }> = [];
    for (const layer of layerNames) {
      // h5wasm prints HDF5 diagnostics for a missing name, so look before asking.
      const group = keys.has(layer) ? root.get?.(layer) : null;
      const weightNames = strings(group?.attrs?.['weight_names']?.value);
      if (!group || weightNames.length === 0) throw new InputError('E_INPUT_INVALID', `${file}: layer ${layer} has no weights (not the seed's generator weights?)`);
      for (const w of weightNames) {
        const dataset = group.get?.(w);
        if (!dataset || !Array.isArray(dataset.shape)) throw new InputError('E_INPUT_INVALID', `${file}: layer ${layer} lists weight ${w} but holds no such dataset`);
        out.push({ name: `${layer}/${w}`, shape: dataset.shape, data: Float32Array.from(dataset.value as ArrayLike<number>) });
      }
    }
    return out;
  } finally {
    try {
      h5.close();
    } catch {
      // A file that failed half-way may not close cleanly; the error that matters is already thrown.
    }
  }
}

/** The seed's weights as `cartoongan-seed` parameters (see the file comment). */
export function seedParams(file: string, weights: Array<{ name: string; shape: number[]; data: Float32Array }>): ParamSet {
  const spec = getArchitecture('cartoongan-seed');
  const [rangeIn, rangeInBias, ...rest] = describeParameters(spec);
  if (weights.length !== rest.length) throw new InputError('E_INPUT_INVALID', `${file} holds ${weights.length} weights, the seed's generator has ${rest.length}`);
  const params: ParamSet = new Map();
  // [-1,1] → [0,1]: 0.5·x + 0.5 per channel.
  const identity = new Float32Array(9);
  for (let c = 0; c < 3; c++) identity[c * 3 + c] = 0.5;
  params.set(rangeIn!.name, { shape: rangeIn!.shape, data: identity });
  params.set(rangeInBias!.name, { shape: rangeInBias!.shape, data: new Float32Array(3).fill(0.5) });
  rest.forEach((p, i) => {
    const w = weights[i]!;
    if (w.shape.length !== p.shape.length || w.shape.some((d, j) => d !== p.shape[j])) {
      throw new InputError('E_INPUT_INVALID', `${file}: weight ${w.name} has shape [${w.shape.join(',')}], the seed's generator has [${p.shape.join(',')}] there (${p.name})`);
    }
    let data = w.data;
    // [0,1] output → [-1,1]: y' = 2y − 1.
    if (p.name === 'conv_out/kernel') data = data.map((v) => 2 * v);
    if (p.name === 'conv_out/bias') data = data.map((v) => 2 * v - 1);
    params.set(p.name, { shape: [...p.shape], data });
  });
  return params;
}

/** Reads the file and builds the package (not yet written). */
export async function importKerasSeed(file: string, record: (conventions: Record<string, unknown>) => ImportRecord): Promise<ModelPackage> {
  const weights = await readSeedWeights(file);
  const params = seedParams(file, weights);
  const spec = getArchitecture('cartoongan-seed');
  return importedNativePackage(spec, params, record({
    architecture: 'cartoongan-seed',
    range: [0, 1],
    layout: 'NHWC',
    channels: 'rgb',
    firstConvActivation: 'leakyRelu(0.2) inside the conv, before the norm',
    norm: 'keras-contrib InstanceNormalization(axis=None): per-sample statistics over H, W, C; epsilon 1e-3 on the std',
    finalLayer: weights.at(-1)!.name.split('/')[0],
  }), 'plain-overlap');
}
