/**
 * A random-weight model package saved in a temp folder, so integration tests run the real ONNX
 * Runtime on the real exported graph without a trained model in the repository.
 */
import path from 'node:path';
import { saveModelPackage } from '../../src/model/model-package.js';
import { initParams, type ParamSet } from '../../src/model/params.js';
import { getArchitecture } from '../../src/model/spec.js';

export async function saveRandomModel(dir: string, arch: 'fast' | 'cartoongan' = 'fast', seed = 1): Promise<string> {
  const spec = getArchitecture(arch);
  const target = path.join(dir, `random-${arch}`);
  await saveModelPackage(target, { spec, params: initParams(spec, seed), meta: { description: 'random weights for tests' } });
  return target;
}

/**
 * Random He-initialised `fast` weights without normalisation grow through the residual blocks to
 * tens of units. Scaling the two convs that write the output (head and palette) down by 0.03 keeps
 * the network mostly inside the pixel range, as a trained one is, instead of clipping it. In place.
 */
export function scaleDownFastHeads(params: ParamSet): ParamSet {
  for (const name of ['conv_out/kernel', 'palette/conv2/kernel']) params.get(name)?.data.forEach((v, i, a) => (a[i] = v * 0.03));
  return params;
}
