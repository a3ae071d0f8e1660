import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { intraOpThreads, physicalCores, physicalCoresFromCpuinfo } from '../../src/engine/cpu-cores.js';

const block = (processor: number, physical: number, core: number): string => `processor\t: ${processor}\nvendor_id\t: AuthenticAMD\nphysical id\t: ${physical}\ncore id\t\t: ${core}\ncpu cores\t: 2\n`;

test('cpuinfo: one hardware thread per core counts every processor', () => {
  assert.equal(physicalCoresFromCpuinfo([block(0, 0, 0), block(1, 0, 1)].join('\n')), 2);
});

test('cpuinfo: two hardware threads per core (SMT) count each core once', () => {
  const text = [block(0, 0, 0), block(1, 0, 1), block(2, 0, 0), block(3, 0, 1)].join('\n');
  assert.equal(physicalCoresFromCpuinfo(text), 2);
});

test('cpuinfo: the same core id on two sockets is two cores', () => {
  assert.equal(physicalCoresFromCpuinfo([block(0, 0, 0), block(1, 1, 0)].join('\n')), 2);
});

test('cpuinfo without core ids (ARM) says nothing', () => {
  assert.equal(physicalCoresFromCpuinfo('processor\t: 0\nBogoMIPS\t: 50.00\n\nprocessor\t: 1\nBogoMIPS\t: 50.00\n'), null);
  assert.equal(physicalCoresFromCpuinfo(''), null);
});

test('physicalCores is at least 1 and never more than the CPUs this process may use', () => {
  const n = physicalCores();
  assert.ok(n >= 1 && n <= availableParallelism(), `${n}`);
  let fromFile: number | null = null;
  try {
    fromFile = physicalCoresFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    // not Linux
  }
  assert.equal(n, Math.min(availableParallelism(), fromFile ?? availableParallelism()));
});

test('intraOpThreads: an explicit count wins; 0 shares the cores out among the sessions', () => {
  assert.equal(intraOpThreads(3, 1, 8), 3);
  assert.equal(intraOpThreads(0, 1, 8), 8);
  assert.equal(intraOpThreads(0, 2, 8), 4);
  assert.equal(intraOpThreads(0, 3, 8), 2);
  assert.equal(intraOpThreads(0, 4, 2), 1);
  assert.equal(intraOpThreads(0, 1, 2), 2);
});
