/**
 * How many intra-op threads ONNX Runtime gets when the user says "0 = one per core".
 *
 * Left at 0, ONNX Runtime on Linux picks `std::thread::hardware_concurrency() / 2`, assuming two
 * hardware threads per core. On a VM without SMT (this project's 2-core machine: two cores, one
 * thread each) that is one thread for two cores: measured on `fast` at 256², 71.5 ms/frame at
 * ORT's default against 53.0 ms with 2 threads. So the project counts physical cores itself.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Physical cores in a /proc/cpuinfo text: distinct (physical id, core id) pairs, or null when the
 * text does not say (ARM kernels, containers that hide it).
 */
export function physicalCoresFromCpuinfo(cpuinfo: string): number | null {
  const cores = new Set<string>();
  for (const block of cpuinfo.split(/\n\s*\n/)) {
    const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (physical === undefined || core === undefined) continue;
    cores.add(`${physical}:${core}`);
  }
  return cores.size > 0 ? cores.size : null;
}

let cached: number | undefined;

/**
 * Physical cores this process may run on: the cpuinfo count, capped by the CPUs the process may
 * use (affinity); every usable CPU where cpuinfo does not tell cores from hardware threads.
 */
export function physicalCores(): number {
  if (cached !== undefined) return cached;
  const usable = availableParallelism();
  let fromCpuinfo: number | null = null;
  try {
    fromCpuinfo = physicalCoresFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    // Not Linux: no cpuinfo.
  }
  cached = Math.max(1, Math.min(usable, fromCpuinfo ?? usable));
  return cached;
}

/**
 * The intra-op thread count for one session: `requested` when it is set (> 0), otherwise the
 * physical cores shared out among `sessions` sessions that run at once (at least one each).
 */
export function intraOpThreads(requested: number, sessions = 1, cores = physicalCores()): number {
  if (requested > 0) return requested;
  return Math.max(1, Math.floor(cores / Math.max(1, sessions)));
}
