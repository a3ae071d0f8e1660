import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDoctorChecks } from '../../src/cli/commands/doctor.js';
import { headlessEglPlatform, isSoftwareAdapter, listWebGpuAdapters, noAdapterFix, platformBackends, requestWebGpuAdapter } from '../../src/engine/webgpu-adapter.js';
import { webGpuSkipReason } from '../train/webgpu-available.js';

const skip = await webGpuSkipReason();

test('platform backends, software adapter names, headless EGL and the fix line are pure decisions', () => {
  assert.deepEqual(platformBackends('linux'), ['vulkan', 'opengles']);
  assert.deepEqual(platformBackends('darwin'), ['metal']);
  assert.deepEqual(platformBackends('win32'), ['d3d12', 'vulkan']);
  assert.ok(isSoftwareAdapter('llvmpipe-llvm-15-0-6-256-bits-'));
  assert.ok(isSoftwareAdapter('', 'Microsoft Basic Render Driver'));
  assert.ok(isSoftwareAdapter('SwiftShader Device (Subzero)'));
  assert.ok(!isSoftwareAdapter('NVIDIA GeForce RTX 3060', 'Vulkan driver version 550'));
  assert.equal(headlessEglPlatform({}), 'surfaceless');
  assert.equal(headlessEglPlatform({ DISPLAY: ':0' }), undefined);
  assert.equal(headlessEglPlatform({ WAYLAND_DISPLAY: 'wayland-0' }), undefined);
  assert.equal(headlessEglPlatform({ EGL_PLATFORM: 'x11' }), undefined);
  assert.match(noAdapterFix('linux'), /Vulkan.*EGL_PLATFORM=surfaceless/);
  assert.match(noAdapterFix('darwin'), /Metal/);
});

test('the adapters found are described, the best one is preferred, and doctor lists them', { skip }, async () => {
  const adapters = await listWebGpuAdapters();
  assert.ok(adapters.length > 0);
  for (const a of adapters) {
    assert.ok(a.name.length > 0 && platformBackends().includes(a.backend), JSON.stringify(a));
    assert.equal(a.featureLevel, a.backend === 'opengles' ? 'compatibility' : 'core');
  }
  const best = await requestWebGpuAdapter();
  // A hardware adapter wins over a software one whenever there is one.
  assert.equal(best.software, adapters.every((a) => a.software));
  const rows = (await runDoctorChecks()).filter((c) => c.name === 'webgpu adapter');
  assert.equal(rows.length, adapters.length);
  assert.ok(rows.every((r) => r.status === 'ok' && /\((vulkan|metal|d3d12|opengles), (hardware|software)/.test(r.detail)), JSON.stringify(rows));
});
