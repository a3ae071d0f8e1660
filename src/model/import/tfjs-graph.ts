import { InputError } from '../../errors.js';

export function tfjsGraphToOnnx(file: string): Promise<Uint8Array> {
  return Promise.reject(new InputError('E_INPUT_INVALID', `${file}: tfjs graph import is not available yet`));
}
