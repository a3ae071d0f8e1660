/**
 * VGG19 up to block4_conv4 (CartoonGAN's content layer) with the weights of the Keras file
 * `vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5` that the user supplies (`--vgg19-weights`); read
 * with h5wasm. The file has one group per layer (`block1_conv1` …) holding a 4-D kernel
 * [3,3,cin,cout] and a 1-D bias; the dataset names differ between Keras versions
 * (`block1_conv1_W_1:0` or `block1_conv1/kernel:0`), so we go by rank, not name.
 * Keras' VGG19 expects caffe preprocessing: BGR, mean-subtracted, 0..255.
 */
import { existsSync } from 'node:fs';
import { hasHdf5Signature, openHdf5 } from '../../model/hdf5-file.js';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../errors.js';
import type { PerceptualNet } from './perceptual-types.js';

export const VGG19_DEFAULT_LAYER = 'block4_conv4';

/** The conv layers of VGG19 in order, with their channel counts; pools after each block's last conv. */
export const VGG19_LAYERS: readonly { name: string; cin: number; cout: number; poolAfter: boolean }[] = (() => {
  const blocks: [number, number][] = [[2, 64], [2, 128], [4, 256], [4, 512], [4, 512]];
  const out: { name: string; cin: number; cout: number; poolAfter: boolean }[] = [];
  let cin = 3;
  blocks.forEach(([convs, cout], b) => {
    for (let i = 1; i <= convs; i++) {
      out.push({ name: `block${b + 1}_conv${i}`, cin, cout, poolAfter: i === convs });
      cin = cout;
    }
  });
  return out;
})();

/** The ImageNet mean Keras subtracts, in BGR order. */
const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68];

export interface Vgg19Weights {
  name: string;
  kernel: { shape: number[]; data: Float32Array };
  bias: { shape: number[]; data: Float32Array };
}

interface H5Entity { keys?: () => string[]; get?: (name: string) => H5Entity | null; shape?: number[] | null; value?: unknown }

function datasetsIn(entity: H5Entity, found: H5Entity[] = []): H5Entity[] {
  if (typeof entity.keys === 'function' && typeof entity.get === 'function') {
    for (const key of entity.keys()) {
      const child = entity.get(key);
      if (child) datasetsIn(child, found);
    }
  } else if (Array.isArray(entity.shape)) {
    found.push(entity);
  }
  return found;
}

/**
 * Reads the conv weights up to `layer` from a Keras VGG19 h5 file. Throws InputError (one line) when
 * the file is missing, not HDF5, or lacks a layer or has the wrong shapes.
 */

export async function readVgg19Weights(file: string, layer = VGG19_DEFAULT_LAYER): Promise<Vgg19Weights[]> {
  const last = VGG19_LAYERS.findIndex((l) => l.name === layer);
  if (last < 0) throw new InputError('E_INPUT_INVALID', `vgg19 has no layer '${layer}' (choose one of ${VGG19_LAYERS.map((l) => l.name).join(', ')})`);
  if (!existsSync(file)) throw new InputError('E_INPUT_MISSING', `VGG19 weights file not found: ${file}`);
  if (!(await hasHdf5Signature(file))) {
    throw new InputError('E_INPUT_INVALID', `${file} is not a readable HDF5 file (expected Keras' vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5)`);
  }
  const h5 = await openHdf5(file, " (expected Keras' vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5)");
  try {
    const out: Vgg19Weights[] = [];
    // h5wasm prints HDF5 diagnostics when asked for a missing name, so look before asking.
    const names = new Set(h5.keys());
    for (const spec of VGG19_LAYERS.slice(0, last + 1)) {
      let group: H5Entity | null = null;
      if (names.has(spec.name)) group = h5.get(spec.name) as unknown as H5Entity | null;
      if (!group) throw new InputError('E_INPUT_INVALID', `${file} is not a Keras VGG19 weights file: it has no group '${spec.name}'`);
      const sets = datasetsIn(group);
      const kernel = sets.find((d) => d.shape?.length === 4);
      const bias = sets.find((d) => d.shape?.length === 1);
      const want = [3, 3, spec.cin, spec.cout];
      if (!kernel || !bias || kernel.shape!.some((s, i) => s !== want[i]) || bias.shape![0] !== spec.cout) {
        throw new InputError('E_INPUT_INVALID', `${file}: layer ${spec.name} should hold a [${want.join(',')}] kernel and a [${spec.cout}] bias`);
      }
      out.push({
        name: spec.name,
        kernel: { shape: want, data: Float32Array.from(kernel.value as ArrayLike<number>) },
        bias: { shape: [spec.cout], data: Float32Array.from(bias.value as ArrayLike<number>) },
      });
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

export async function loadVgg19(file: string | undefined, layer = VGG19_DEFAULT_LAYER): Promise<PerceptualNet> {
  if (!file) throw new InputError('E_INPUT_MISSING', 'the vgg19 perceptual net needs --vgg19-weights <vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5>');
  const weights = await readVgg19Weights(file, layer);
  const tensors = weights.map((w) => ({
    kernel: tf.tensor4d(w.kernel.data, w.kernel.shape as [number, number, number, number]),
    bias: tf.tensor1d(w.bias.data),
    poolAfter: VGG19_LAYERS.find((l) => l.name === w.name)!.poolAfter,
  }));
  const mean = tf.tensor1d(CAFFE_MEAN_BGR);
  let disposed = false;
  return {
    name: 'vgg19',
    layer,
    provenance: { source: `Keras VGG19 ImageNet weights from ${file}`, licence: 'VGG19 weights: CC BY 4.0 (Oxford VGG), Keras file MIT' },
    features(x) {
      return tf.tidy(() => {
        // [-1,1] RGB → caffe: 0..255 BGR minus the ImageNet mean.
        let h = tf.sub(tf.reverse(tf.mul(tf.add(x, 1), 127.5), 3), mean) as tf.Tensor4D;
        tensors.forEach((t, i) => {
          h = tf.relu(tf.add(tf.conv2d(h, t.kernel, 1, 'same'), t.bias)) as tf.Tensor4D;
          if (t.poolAfter && i < tensors.length - 1) h = tf.maxPool(h, 2, 2, 'valid');
        });
        return h;
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const t of tensors) { t.kernel.dispose(); t.bias.dispose(); }
      mean.dispose();
    },
  };
}
