/**
 * Test helper: whether this machine has a WebGPU adapter (a GPU, or Mesa's llvmpipe through Dawn's
 * GL ES backend once scripts/install-test-deps.sh has run). The WebGPU tests skip with the reason
 * when there is none; REQUIRE_WEBGPU=1 (set by .ci/run, where the Mesa packages are installed) makes
 * a missing adapter a failure instead, so CI cannot pass by skipping them.
 */
import { requestWebGpuAdapter } from '../../src/engine/webgpu-adapter.js';

/** Undefined when an adapter can be created, else why the WebGPU tests skip. */
export async function webGpuSkipReason(): Promise<string | undefined> {
  try {
    await requestWebGpuAdapter();
    return undefined;
  } catch (err) {
    if (process.env['REQUIRE_WEBGPU'] === '1') throw err;
    return `no WebGPU adapter here (${(err as Error).message})`;
  }
}
