/**
 * Splits this machine's CPUs between the live server and the browser that views it (Linux, with
 * util-linux's `taskset`), so that one box measures what two machines would: in a deployment the
 * viewer's browser runs on the user's computer and takes nothing from the server's cores, while on
 * one 2-core box it takes 0.17–0.4 of the two cores the model-only rate was measured on.
 *
 * The server (this process and every thread it has or will start: threads inherit their creator's
 * affinity) gets its CPUs first, before any model session is made, so that model-only and live
 * numbers are measured on the same CPUs and the engine's "one thread per core" sees only those.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { processIds } from '../src/bench/proc-cpu.js';

/** Pure: a kernel CPU list ("0-3,6,8-9") as CPU numbers, ascending. */
export function parseCpuList(list: string): number[] {
  const cpus = new Set<number>();
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`not a CPU list: '${list}'`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new Error(`not a CPU list: '${list}'`);
    for (let c = from; c <= to; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

/**
 * Pure: the browser gets one CPU (the first; a viewer page needs well under one core), the server
 * all the others. Needs at least two CPUs.
 */
export function splitCpus(allowed: number[]): { browser: number[]; server: number[] } {
  if (allowed.length < 2) throw new Error(`splitting CPUs between server and browser needs at least 2 CPUs, this process may use ${allowed.length}`);
  const [first, ...rest] = allowed;
  return { browser: [first as number], server: rest };
}

/** The CPUs a process may run on, from its /proc/<pid>/status text (Cpus_allowed_list). */
function cpusAllowedIn(status: string): number[] {
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
  if (!list) throw new Error('the /proc status has no Cpus_allowed_list');
  return parseCpuList(list);
}

/** The CPUs this process may run on. */
export function allowedCpus(): number[] {
  return cpusAllowedIn(readFileSync('/proc/self/status', 'utf8'));
}

/** Pins every thread of this process to `cpus` (threads started later inherit it). */
export function pinThisProcess(cpus: number[]): void {
  execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus.join(','), String(process.pid)], { stdio: 'ignore' });
  const now = allowedCpus();
  if (now.join(',') !== cpus.join(',')) throw new Error(`taskset left this process on CPUs ${now.join(',')}, not ${cpus.join(',')}`);
}

/**
 * Writes an executable wrapper into `dir` that starts `executable` pinned to `cpus` (the browser's
 * helper processes inherit it) and returns its path, for playwright's `executablePath`.
 */
export async function pinnedLauncher(dir: string, executable: string, cpus: number[]): Promise<string> {
  const file = path.join(dir, 'pinned-browser.sh');
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  await writeFile(file, `#!/bin/sh\nexec taskset --cpu-list ${cpus.join(',')} ${quote(executable)} "$@"\n`);
  await chmod(file, 0o755);
  return file;
}

/** How many running processes named like `name` there are, and how many of them may run only on `cpus`: a check that the pinning held. */
export function pinnedProcesses(name: RegExp, cpus: number[]): { matching: number; pinned: number } {
  let matching = 0;
  let pinned = 0;
  for (const pid of processIds()) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (!name.test(/^Name:\s*(.*)$/m.exec(status)?.[1] ?? '')) continue;
      matching++;
      if (cpusAllowedIn(status).join(',') === cpus.join(',')) pinned++;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return { matching, pinned };
}
