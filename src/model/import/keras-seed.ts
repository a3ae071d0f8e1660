import { InputError } from '../../errors.js';
import type { ModelPackage } from '../model-package.js';
import type { ImportRecord } from './package-writer.js';

export function importKerasSeed(file: string, _record: (conventions: Record<string, unknown>) => ImportRecord): Promise<ModelPackage> {
  return Promise.reject(new InputError('E_INPUT_INVALID', `${file}: Keras import is not available yet`));
}
