/**
 * The TensorFlow.js Stylizer (wasm backend by default): the same computation as the ONNX graph, run
 * from the package's tfjs weights. Slower than ONNX Runtime; useful where it is not installed and to
 * check a freshly trained model before export.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelPackage } from '../model/model-package.js';
import { paramsToTensors, stylizeImagesTf } from '../model/tfjs-forward.js';
import { packFrames, unpackFrames } from './frame-batch.js';
import type { Stylizer } from './stylizer.js';
import { initTfjs, type TfjsBackendName } from './tfjs-backend.js';
import { serialStylizer } from './serial-stylizer.js';

export interface TfjsStylizerOptions {
  /** tfjs backend. Default: 'wasm'. */
  backend?: TfjsBackendName;
}

export async function createTfjsStylizer(pkg: ModelPackage, options: TfjsStylizerOptions = {}): Promise<Stylizer> {
  const backend = options.backend ?? 'wasm';
  await initTfjs(backend);
  const vars = paramsToTensors(pkg.params);
  return serialStylizer(
    `tfjs/${backend} ${pkg.spec.name} (${(pkg.meta.parameters / 1e6).toFixed(2)}M params)`,
    async (frames) => {
      const batch = packFrames(frames);
      const images = tf.tensor4d(Int32Array.from(batch.data), [batch.n, batch.height, batch.width, 3], 'int32');
      const out = stylizeImagesTf(pkg.spec, vars, images);
      images.dispose();
      try {
        const values = await out.data();
        return unpackFrames(Uint8Array.from(values), frames);
      } finally {
        out.dispose();
      }
    },
    () => {
      for (const t of Object.values(vars)) t.dispose();
    },
  );
}
