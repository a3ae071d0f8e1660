/**
 * Writes an HDF5 file in the layout the seed's `generator.save_weights(...)` produces (Keras' HDF5
 * weights format): root attribute `layer_names`, one group per layer with its `weight_names` in
 * creation order, datasets at `<layer>/<weight name>` (TF2 weight names hold a '/', so a subgroup).
 * Full cartoongan shapes with random, non-trivial weights (scalar norm gammas near 1, betas near 0).
 */
import h5wasm from 'h5wasm/node';
import { mulberry32 } from '../../../src/seeded-random.js';
import { SEED_LAYERS } from '../../../src/model/import/keras-seed.js';

export interface SeedWeight {
  layer: string;
  name: string;
  shape: number[];
  data: Float32Array;
}

/** The seed generator's weights, layer by layer in Keras' order, with random values. */
export function randomSeedWeights(seed = 5): SeedWeight[] {
  const rand = mulberry32(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  let n = 0;
  const out: SeedWeight[] = [];
  const conv = (layer: string, shape: number[], fanIn: number, gain = 1, biasMean = 0, transposed = false): void => {
    const id = n++ === 0 ? 'conv2d' : `conv2d_${n - 1}`;
    const size = shape.reduce((a, b) => a * b, 1);
    out.push({ layer, name: `${id}/kernel:0`, shape, data: Float32Array.from({ length: size }, () => normal() * Math.sqrt(2 / fanIn) * gain) });
    const cout = transposed ? shape[2]! : shape[3]!;
    out.push({ layer, name: `${id}/bias:0`, shape: [cout], data: Float32Array.from({ length: cout }, () => biasMean + 0.05 * normal()) });
  };
  let norms = 0;
  const norm = (layer: string): void => {
    const id = norms++ === 0 ? 'instance_normalization' : `instance_normalization_${norms - 1}`;
    out.push({ layer, name: `${id}/gamma:0`, shape: [1], data: Float32Array.of(1 + 0.2 * normal()) });
    out.push({ layer, name: `${id}/beta:0`, shape: [1], data: Float32Array.of(0.1 * normal()) });
  };
  conv('Flatten_Conv2D', [7, 7, 3, 64], 147);
  norm('Flatten_Conv2D');
  let c = 64;
  for (const [i, co] of [[1, 128], [2, 256]] as const) {
    conv(`Down_Conv2D_${i}`, [3, 3, c, co], 9 * c);
    conv(`Down_Conv2D_${i}`, [3, 3, co, co], 9 * co);
    norm(`Down_Conv2D_${i}`);
    c = co;
  }
  for (let i = 1; i <= 8; i++) {
    const l = `Residual_unit_${i}`;
    conv(l, [3, 3, 256, 256], 9 * 256, 0.5);
    norm(l);
    conv(l, [3, 3, 256, 256], 9 * 256, 0.5);
    norm(l);
  }
  for (const [i, co] of [[1, 128], [2, 64]] as const) {
    // Conv2DTranspose's kernel is [k, k, filters, in].
    conv(`Up_Conv2D_${i}`, [3, 3, co, c], 9 * c, 1, 0, true);
    conv(`Up_Conv2D_${i}`, [3, 3, co, co], 9 * co);
    norm(`Up_Conv2D_${i}`);
    c = co;
  }
  // The output is RGB in [0,1]: small weights around 0.5 keep it mostly inside.
  conv('conv2d_37', [7, 7, 64, 3], 49 * 64, 0.15, 0.5);
  return out;
}

/** Writes `weights` to `file` in the Keras layout; `layerNames` overrides the root attribute (for bad files). */
export async function writeSeedH5(file: string, weights: SeedWeight[], layerNames?: string[]): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  try {
    const layers = [...new Set(weights.map((w) => w.layer))];
    f.create_attribute('layer_names', layerNames ?? layers);
    f.create_attribute('backend', 'tensorflow');
    f.create_attribute('keras_version', '2.3.1');
    for (const layer of layers) {
      const g = f.create_group(layer);
      const own = weights.filter((w) => w.layer === layer);
      g.create_attribute('weight_names', own.map((w) => w.name));
      for (const w of own) {
        const [sub, leaf] = w.name.split('/') as [string, string];
        const sg = g.keys().includes(sub) ? (g.get(sub) as InstanceType<typeof h5wasm.Group>) : g.create_group(sub);
        sg.create_dataset({ name: leaf, data: w.data, shape: w.shape, dtype: '<f' });
      }
    }
  } finally {
    f.close();
  }
}

export { SEED_LAYERS };
