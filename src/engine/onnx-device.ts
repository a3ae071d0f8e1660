/**
 * The devices ONNX Runtime can run on, in a module of its own so that flag parsing can validate
 * them without loading onnxruntime-node.
 */

/** Where ONNX Runtime runs: the CPU, an NVIDIA GPU (CUDA provider), or any GPU through its WebGPU provider (Dawn on Vulkan/D3D12). */
export type OnnxDevice = 'cpu' | 'cuda' | 'webgpu';

/** Every device, for flag validation. */
export const ONNX_DEVICES: readonly OnnxDevice[] = ['cpu', 'cuda', 'webgpu'];
