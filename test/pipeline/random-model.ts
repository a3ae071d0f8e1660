/**
 * A random-weight model package saved in a temp folder, so integration tests run the real ONNX
 * Runtime on the real exported graph without a trained model in the repository.
 */
import path from 'node:path';
import { saveModelPackage } from '../../src/model/model-package.js';
import { initParams } from '../../src/model/params.js';
import { getArchitecture } from '../../src/model/spec.js';

export async function saveRandomModel(dir: string, arch: 'fast' | 'cartoongan' = 'fast', seed = 1): Promise<string> {
  const spec = getArchitecture(arch);
  const target = path.join(dir, `random-${arch}`);
  await saveModelPackage(target, { spec, params: initParams(spec, seed), meta: { description: 'random weights for tests' } });
  return target;
}
