/// <reference types="@webgpu/types" />
/**
 * Finds WebGPU adapters through Dawn's Node binding (npm `webgpu`, a prebuilt `dawn.node`): GPUs
 * with a Vulkan (Linux, Windows), Metal (macOS) or D3D12 (Windows) driver, and, as a last resort,
 * Dawn's OpenGL ES backend, which also runs on Mesa's software rasteriser llvmpipe (how the tests
 * run on machines without a GPU).
 *
 * Facts this module is built on (Dawn in `webgpu` 0.6.2, Mesa 22.3 on Debian 12):
 * - Without a `backend=` flag Dawn tries Vulkan only on Linux; Mesa's lavapipe (software Vulkan) is
 *   rejected ("shaderUniform*ArrayDynamicIndexing required"), so a GPU-less Linux has no adapter.
 * - `backend=opengles` finds llvmpipe, but only for `featureLevel: 'compatibility'` requests and only
 *   when EGL can open a display: headless, that needs `EGL_PLATFORM=surfaceless`.
 * - Dawn prints its own warnings (rejected adapters) to stderr; they are harmless.
 */
import { BackendUnavailableError } from '../errors.js';

/** The Dawn backends this module asks for, best first. */
export type WebGpuBackendName = 'vulkan' | 'metal' | 'd3d12' | 'opengles';

export interface WebGpuAdapterDescription {
  /** The adapter's device name (e.g. "NVIDIA GeForce RTX 3060", "llvmpipe (LLVM 15.0.6, 256 bits)"). */
  name: string;
  /** Driver description, e.g. "OpenGL version OpenGL ES 3.2 Mesa 22.3.6". */
  description: string;
  /** The Dawn backend that found it. */
  backend: WebGpuBackendName;
  /** A CPU rasteriser (llvmpipe, lavapipe, SwiftShader, WARP): it works, but slower than the CPU backend. */
  software: boolean;
  /** 'core' WebGPU, or 'compatibility' (the OpenGL ES backend: fewer features, what tfjs needs is there). */
  featureLevel: 'core' | 'compatibility';
}

/** A usable adapter: what it is, and the adapter itself. */
export interface WebGpuAdapterChoice extends WebGpuAdapterDescription {
  adapter: GPUAdapter;
  /** The Dawn instance (its `navigator.gpu`); it must stay referenced while the adapter is used. */
  gpu: GPU;
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

let dawn: Promise<DawnModule> | undefined;
const instances = new Map<WebGpuBackendName, GPU>();

/** The Dawn backends worth trying on this platform, best first. */
export function platformBackends(platform: NodeJS.Platform = process.platform): WebGpuBackendName[] {
  if (platform === 'darwin') return ['metal'];
  if (platform === 'win32') return ['d3d12', 'vulkan'];
  return ['vulkan', 'opengles'];
}

/** Pure: whether an adapter name is a CPU rasteriser rather than a GPU. */
export function isSoftwareAdapter(name: string, description = ''): boolean {
  return /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b/i.test(`${name} ${description}`);
}

/**
 * Headless EGL (no X11 or Wayland display) must be told to use the surfaceless platform, or Mesa
 * finds no display and Dawn no OpenGL ES adapter. Set only when the user has not chosen one and no
 * display exists, before Dawn opens EGL.
 */
export function headlessEglPlatform(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['EGL_PLATFORM'] || env['DISPLAY'] || env['WAYLAND_DISPLAY']) return undefined;
  return 'surfaceless';
}

async function loadDawn(): Promise<DawnModule> {
  dawn ??= import('webgpu').then(
    (m) => {
      // tfjs-backend-webgpu refers to GPUBufferUsage and friends as globals, as in a browser.
      for (const [name, value] of Object.entries(m.globals as Record<string, unknown>)) {
        if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
      }
      return m as unknown as DawnModule;
    },
    (err: unknown) => {
      dawn = undefined;
      throw new BackendUnavailableError('the WebGPU binding (npm package webgpu) does not load: run npm install', err);
    },
  );
  return dawn;
}

async function instance(backend: WebGpuBackendName): Promise<GPU> {
  const existing = instances.get(backend);
  if (existing) return existing;
  const { create } = await loadDawn();
  if (backend === 'opengles') {
    const platform = headlessEglPlatform();
    if (platform) process.env['EGL_PLATFORM'] = platform;
  }
  const gpu = create([`backend=${backend}`]);
  instances.set(backend, gpu);
  return gpu;
}

function describe(adapter: GPUAdapter, backend: WebGpuBackendName, featureLevel: 'core' | 'compatibility'): WebGpuAdapterDescription {
  const info = adapter.info;
  // Dawn leaves vendor/architecture empty for GL; the device string is then the renderer's name.
  const name = [info.vendor, info.device].filter((s) => s).join(' ').trim() || info.description || 'unknown adapter';
  return { name, description: info.description, backend, software: info.isFallbackAdapter || isSoftwareAdapter(name, info.description), featureLevel };
}

/** Asks one Dawn backend for its adapter; undefined when it has none (or fails). */
async function adapterOf(backend: WebGpuBackendName, powerPreference: GPUPowerPreference): Promise<WebGpuAdapterChoice | undefined> {
  const gpu = await instance(backend);
  // The OpenGL ES backend only offers compatibility-level adapters.
  const featureLevel = backend === 'opengles' ? 'compatibility' : 'core';
  try {
    const adapter = await gpu.requestAdapter({ powerPreference, ...(featureLevel === 'compatibility' ? { featureLevel } : {}) } as GPURequestAdapterOptions);
    return adapter ? { ...describe(adapter, backend, featureLevel), adapter, gpu } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every adapter Dawn finds here (high-performance and low-power, per backend), for `doctor`.
 * Throws BackendUnavailableError only when the binding itself does not load.
 */
export async function listWebGpuAdapters(): Promise<WebGpuAdapterDescription[]> {
  const out: WebGpuAdapterDescription[] = [];
  for (const backend of platformBackends()) {
    for (const preference of ['high-performance', 'low-power'] as const) {
      const found = await adapterOf(backend, preference);
      if (found && !out.some((a) => a.name === found.name && a.backend === found.backend)) {
        const { adapter: _adapter, gpu: _gpu, ...description } = found;
        out.push(description);
      }
    }
  }
  return out;
}

/** What to do when no adapter is found, for this platform: one line. */
export function noAdapterFix(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'WebGPU needs Metal (macOS 11 or newer on a Mac with a Metal GPU)';
  if (platform === 'win32') return 'install your GPU vendor\'s driver (D3D12 or Vulkan)';
  return 'install a GPU driver with Vulkan (NVIDIA driver, or Mesa: apt-get install mesa-vulkan-drivers), or, without a GPU, Mesa\'s software GL (apt-get install libegl1 libgles2 libgl1-mesa-dri) with EGL_PLATFORM=surfaceless when headless';
}

/**
 * The best adapter: the first hardware one in platform order, else a software one. Throws
 * BackendUnavailableError naming what is missing when there is none.
 */
export async function requestWebGpuAdapter(): Promise<WebGpuAdapterChoice> {
  let software: WebGpuAdapterChoice | undefined;
  for (const backend of platformBackends()) {
    const found = await adapterOf(backend, 'high-performance');
    if (found && !found.software) return found;
    software ??= found;
  }
  if (software) return software;
  throw new BackendUnavailableError(`no WebGPU adapter found (tried ${platformBackends().join(', ')}): ${noAdapterFix()}`);
}
