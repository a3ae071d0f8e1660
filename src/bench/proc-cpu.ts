/**
 * CPU time from Linux's /proc, for the benchmarks' "where did the CPU go" columns. Wall-clock rates
 * on a shared 2-core host drift by up to 20% within minutes; CPU seconds per frame drift far less,
 * and they say which process paid for what (the model's threads, ffmpeg, Chromium). Every reader
 * returns null off Linux instead of failing the benchmark.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ; 100 on every Linux Node runs on). */
const TICKS = 100;

export interface StatTimes {
  /** The process's (or thread's) name, as /proc says it (`comm`, at most 15 characters). */
  name: string;
  /** The parent process id (field 4), to tell this process's own children (Chromium's helpers) from others. */
  parent: number;
  /** user + system CPU seconds of the process itself (all its threads). */
  self: number;
  /** user + system CPU seconds of its children that have exited and were waited for. */
  children: number;
}

/** Pure: parses one /proc/<pid>/stat (or task/<tid>/stat) line. The name may hold spaces and ')'. */
export function parseStat(stat: string): StatTimes {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${stat.slice(0, 40)}`);
  // Fields after the name start at field 3 (state); utime, stime, cutime, cstime are fields 14–17.
  const f = stat.slice(close + 2).trim().split(/\s+/);
  const field = (n: number): number => Number(f[n - 3]) / TICKS;
  return { name: stat.slice(open + 1, close), parent: Number(f[4 - 3]), self: field(14) + field(15), children: field(16) + field(17) };
}

/** This process's CPU seconds (all threads) and its waited-for children's (ffmpeg, ffprobe). */
export function ownCpu(): StatTimes | null {
  try {
    return parseStat(readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** CPU seconds of each thread of this process, keyed `name#tid`. */
export function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        const t = parseStat(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'));
        out.set(`${t.name}#${tid}`, t.self);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  } catch {
    // Not Linux.
  }
  return out;
}

/** The ids of the running processes (empty off Linux). */
export function processIds(): number[] {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number);
  } catch {
    return [];
  }
}

/** Every running process's stat, read once (empty off Linux). */
export function processStats(): Map<number, StatTimes> {
  const out = new Map<number, StatTimes>();
  for (const pid of processIds()) {
    try {
      out.set(pid, parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return out;
}

/** Pure: the processes that descend from `ancestor` (children, grandchildren, …), from a process table. */
export function descendantsOf(ancestor: number, table: Map<number, StatTimes>): number[] {
  const descends = (pid: number): boolean => {
    // Bounded: a pid reused while the table was read could make a loop.
    for (let p = table.get(pid)?.parent, hops = 0; p !== undefined && p > 1 && hops < 16; p = table.get(p)?.parent, hops++) if (p === ancestor) return true;
    return false;
  };
  return [...table.keys()].filter(descends);
}

/** Summed CPU seconds of the running processes whose name matches (e.g. /^chrom/ for Chromium). */
export function processesCpu(name: RegExp): number | null {
  const table = processStats();
  // On Linux this process itself is listed: nothing listed means there is no /proc.
  if (table.size === 0) return null;
  let sum = 0;
  for (const t of table.values()) if (name.test(t.name)) sum += t.self;
  return sum;
}

/** Busy CPU seconds of the whole machine (all but idle and iowait, guest time excluded). */
export function machineCpu(): number | null {
  try {
    const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice: busy = all but idle, iowait and guest (already in user).
    return cpu.reduce((a, b, i) => (i === 3 || i === 4 || i > 7 ? a : a + b), 0) / TICKS;
  } catch {
    return null;
  }
}
