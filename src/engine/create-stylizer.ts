/**
 * The one entry point other stages use to get a Stylizer: picks the model package and the engine.
 */
import { BackendUnavailableError, UsageError } from '../errors.js';
import { loadAnyModelPackage, type AnyModelPackage } from '../model/model-package.js';
import { createOnnxStylizer, ONNX_DEVICES, type OnnxDevice } from './onnx-stylizer.js';
import type { Stylizer } from './stylizer.js';

export type EngineName = 'onnx' | 'tfjs';

export interface StylizerOptions {
  /** A package folder, a name under models/, or a loaded package (imported ONNX ones included). Default: models/default. */
  model?: string | AnyModelPackage;
  /** Inference engine. Default: 'onnx' (ONNX Runtime). */
  engine?: EngineName;
  /**
   * Device: onnx engine 'cpu', 'cuda' (needs the CUDA execution provider) or 'webgpu' (ORT's WebGPU
   * provider: a Vulkan/D3D12 GPU); tfjs engine 'cpu' (wasm) or 'webgpu' (tfjs-backend-webgpu: any
   * adapter `doctor` lists, software GL included). Default: 'cpu'.
   */
  device?: OnnxDevice;
  /** Intra-op threads for the onnx engine; 0 = one per core. Default: 0. */
  threads?: number;
}

export async function createStylizer(options: StylizerOptions = {}): Promise<Stylizer> {
  const engine = options.engine ?? 'onnx';
  const device = options.device ?? 'cpu';
  if (engine !== 'onnx' && engine !== 'tfjs') throw new UsageError(`unknown engine '${String(engine)}' (onnx or tfjs)`);
  if (!ONNX_DEVICES.includes(device)) throw new UsageError(`unknown device '${String(device)}' (${ONNX_DEVICES.join(', ')})`);
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 0)) {
    throw new UsageError(`threads must be a whole number ≥ 0, got ${options.threads}`);
  }
  if (engine === 'tfjs' && device === 'cuda') {
    throw new BackendUnavailableError('the tfjs engine runs on the CPU (wasm) or WebGPU; use --engine onnx --device cuda for CUDA');
  }
  const pkg = typeof options.model === 'object' ? options.model : await loadAnyModelPackage(options.model);
  if (engine === 'tfjs') {
    if (!pkg.spec) throw new BackendUnavailableError(`${pkg.dir ?? 'this model'} is an imported ONNX model without tfjs weights: use --engine onnx`);
    // Loaded only for this engine: importing tfjs costs a second or more, which every ONNX run (and
    // every CLI command, all imported statically by the CLI) would otherwise pay.
    const { createTfjsStylizer } = await import('./tfjs-stylizer.js');
    return createTfjsStylizer(pkg, { backend: device === 'webgpu' ? 'webgpu' : 'wasm' });
  }
  const onnxOptions: { device: OnnxDevice; threads?: number } = { device };
  if (options.threads !== undefined) onnxOptions.threads = options.threads;
  return createOnnxStylizer(pkg, onnxOptions);
}
