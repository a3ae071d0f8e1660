/** src/bench/proc-cpu.ts: the /proc stat parser the benchmarks' CPU columns rest on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { descendantsOf, ownCpu, parseStat, type StatTimes } from '../../src/bench/proc-cpu.js';

void test('parseStat reads utime+stime and cutime+cstime, whatever the name holds', () => {
  // Fields 14-17 (utime stime cutime cstime) are 250 50 1200 300 ticks.
  const line = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 1200 300 20 0 12 0 100 0 0';
  const t = parseStat(line);
  assert.equal(t.name, 'node (worker) x');
  assert.equal(t.parent, 1);
  assert.equal(t.self, 3);
  assert.equal(t.children, 15);
  assert.throws(() => parseStat('garbage'), /not a \/proc stat line/);
});

void test('ownCpu counts this process burning CPU', { skip: process.platform !== 'linux' && 'needs /proc' }, () => {
  const before = ownCpu()!;
  // Spin until getrusage (process.cpuUsage, another clock than /proc's) says 300 ms of CPU were
  // spent: a fixed wall time would spend less whenever another process shares the core.
  const start = process.cpuUsage();
  let x = 0;
  while (process.cpuUsage(start).user < 300_000) x += Math.sqrt(x + 1);
  const after = ownCpu()!;
  assert.ok(x > 0);
  // 300 ms of CPU shows in /proc as at least 0.2 s (ticks are 10 ms).
  assert.ok(after.self - before.self >= 0.2, `${after.self - before.self} s`);
});

void test('descendantsOf follows parents up, whatever the depth, and not past pid 1', () => {
  const p = (parent: number): StatTimes => ({ name: 'x', parent, self: 0, children: 0 });
  // 10 is the bench; 11 its browser, 12 and 13 the browser's helpers; 20 someone else's.
  const table = new Map([[10, p(1)], [11, p(10)], [12, p(11)], [13, p(12)], [20, p(1)], [21, p(20)]]);
  assert.deepEqual(descendantsOf(10, table).sort((a, b) => a - b), [11, 12, 13]);
  assert.deepEqual(descendantsOf(99, table), []);
});
