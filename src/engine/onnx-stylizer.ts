/**
 * The default Stylizer: ONNX Runtime on the model package's model.onnx. A batch goes in as one uint8
 * tensor [N,H,W,3] and comes back the same way; every pixel operation happens inside the graph.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ort } from './onnx-runtime.js';
import { BackendUnavailableError } from '../errors.js';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../model/onnx-export.js';
import type { AnyModelPackage } from '../model/model-package.js';
import { packFrames, unpackFrames } from './frame-batch.js';
import type { Stylizer } from './stylizer.js';
import { serialStylizer } from './serial-stylizer.js';
import { intraOpThreads } from './cpu-cores.js';
import type { OnnxDevice } from './onnx-device.js';

export { ONNX_DEVICES, type OnnxDevice } from './onnx-device.js';

export interface OnnxStylizerOptions {
  /** Execution provider. Default: 'cpu'. */
  device?: OnnxDevice;
  /** Intra-op threads; 0 = one per physical core (see cpu-cores.ts). Default: 0. */
  threads?: number;
}

/** How a user gets the CUDA execution provider (the npm install skips its download by default). */
export const CUDA_INSTALL_HINT =
  'install the CUDA execution provider with `ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js` (needs CUDA 12 and cuDNN 9; see README)';

/**
 * What ONNX Runtime's WebGPU provider needs. Its bundled Dawn asks for a Vulkan (Linux) or D3D12
 * (Windows) adapter only: Mesa's software GL, which train --backend webgpu can use, is not enough.
 */
export const WEBGPU_EP_HINT = 'it needs a GPU driver with Vulkan (Linux: the NVIDIA driver, or Mesa\'s mesa-vulkan-drivers for AMD/Intel) or D3D12 (Windows); see japananime doctor';

/**
 * Throws BackendUnavailableError, one line, when `device` cannot work in this installation before a
 * session is tried (a missing provider library, a build without the provider).
 */
export function checkOnnxDevice(device: OnnxDevice): void {
  if (device === 'cuda' && !cudaProviderInstalled()) {
    throw new BackendUnavailableError(`the ONNX Runtime CUDA execution provider is not installed: ${CUDA_INSTALL_HINT}`);
  }
  if (device === 'webgpu' && !ort.listSupportedBackends().some((b) => b.name === 'webgpu')) {
    throw new BackendUnavailableError(`this onnxruntime-node build (${process.platform}-${process.arch}) has no WebGPU execution provider: use --device cpu`);
  }
}

/** The error to throw when a session on `device` failed to start: one line naming what is missing. */
export function onnxDeviceError(device: OnnxDevice, err: unknown): unknown {
  const message = err instanceof Error ? err.message : String(err);
  if (device === 'cuda') return new BackendUnavailableError(`the ONNX Runtime CUDA execution provider failed to start (${message}); check the CUDA 12/cuDNN install, or ${CUDA_INSTALL_HINT}`, err);
  if (device === 'webgpu') {
    // ORT's message is a source location and an assertion; its last clause is the reason.
    const reason = /Failed to get a WebGPU adapter: ([^\n]*)/.exec(message)?.[1] ?? message.split('\n')[0];
    return new BackendUnavailableError(`--device webgpu: ONNX Runtime's WebGPU provider found no usable adapter (${reason}); ${WEBGPU_EP_HINT}`, err);
  }
  return err;
}

export interface ExecutionProviderInfo {
  name: string;
  /** Usable now (bundled, or its library is installed next to the binding). */
  available: boolean;
  /** How to install it when it is not. */
  fix?: string;
}

function bindingDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
    return path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

/** Whether the CUDA provider library was installed beside the onnxruntime-node binding. */
export function cudaProviderInstalled(): boolean {
  const dir = bindingDir();
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return dir !== undefined && existsSync(path.join(dir, lib));
}

/** The execution providers this onnxruntime-node build knows, and whether each can be used (for `doctor`). */
export function listExecutionProviders(): ExecutionProviderInfo[] {
  return ort.listSupportedBackends().map((b) => {
    const available = b.bundled || (b.name === 'cuda' && cudaProviderInstalled());
    const info: ExecutionProviderInfo = { name: b.name, available };
    if (!available && b.name === 'cuda') info.fix = CUDA_INSTALL_HINT;
    if (!available && b.name === 'tensorrt') info.fix = 'install TensorRT and the CUDA execution provider (' + CUDA_INSTALL_HINT + ')';
    return info;
  });
}

/** "onnx/cpu fast (1.08M params, 2 threads)": what an ONNX session runs, for logs, bench and doctor. */
export function onnxDescription(device: OnnxDevice, pkg: AnyModelPackage, cpuThreads: number): string {
  const threads = device === 'cpu' ? `, ${cpuThreads} thread${cpuThreads === 1 ? '' : 's'}` : '';
  return `onnx/${device} ${pkg.meta.architecture} (${(pkg.meta.parameters / 1e6).toFixed(2)}M params${threads})`;
}

export async function createOnnxStylizer(pkg: AnyModelPackage, options: OnnxStylizerOptions = {}): Promise<Stylizer> {
  const device = options.device ?? 'cpu';
  const threads = options.threads ?? 0;
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`threads must be a whole number ≥ 0, got ${threads}`);
  checkOnnxDevice(device);
  const cpuThreads = intraOpThreads(threads);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(pkg.onnx, {
      executionProviders: [device],
      intraOpNumThreads: cpuThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      // The memory-pattern planner keeps one arena per input shape; with frames of many sizes
      // (photo folders, tiles, --max-side) it held 1.42 GB where 0.99 GB did at the same speed.
      enableMemPattern: false,
      // Idle intra-op threads spin-wait by default, burning the cores that ffmpeg's decoder and
      // encoder (and a browser, live) need between model runs.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (err) {
    throw onnxDeviceError(device, err);
  }

  const description = onnxDescription(device, pkg, cpuThreads);
  return serialStylizer(
    description,
    async (frames) => {
      const batch = packFrames(frames);
      const input = new ort.Tensor('uint8', batch.data, [batch.n, batch.height, batch.width, 3]);
      const result = await session.run({ [ONNX_INPUT_NAME]: input });
      const output = result[ONNX_OUTPUT_NAME];
      if (!output) throw new Error(`model.onnx returned no '${ONNX_OUTPUT_NAME}'`);
      try {
        return unpackFrames(output.data as Uint8Array, frames);
      } finally {
        output.dispose();
      }
    },
    () => session.release(),
  );
}
