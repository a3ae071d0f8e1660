/**
 * The module graph of src/ has no import cycle (type-only imports included) and keeps its layering
 * (only src/cli imports src/cli; src imports nothing outside src). The same check as
 * `npm run check:cycles`, so `npm test` fails on a new cycle too.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { cyclicGroups, importGraph, importSpecifiers, layeringViolations } from '../scripts/check-cycles.js';
import { PROJECT_ROOT } from '../src/project-paths.js';

void test('src has no import cycle and no import against the layering', () => {
  const root = path.join(PROJECT_ROOT, 'src');
  const outside: Array<[string, string]> = [];
  const graph = importGraph(root, outside);
  assert.ok(graph.size > 100, `${graph.size} files`);
  assert.deepEqual(cyclicGroups(graph).map((g) => g.map((f) => path.relative(root, f))), []);
  assert.deepEqual(layeringViolations(graph, root, outside), []);
});

void test('cyclicGroups finds circles, self-imports included, and nothing in a tree', () => {
  const g = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a', 'd']],
    ['d', []],
    ['e', ['e']],
  ]);
  assert.deepEqual(cyclicGroups(g), [['a', 'b', 'c'], ['e']]);
  assert.deepEqual(cyclicGroups(new Map([['a', ['b']], ['b', []]])), []);
});

void test('importSpecifiers sees type-only imports, re-exports and literal import() alike', () => {
  const text = "import type { A } from './a.js';\nexport { b } from './b.js';\nconst c = await import('./c.js');\ntype D = import('./d.js').D;\nimport fs from 'node:fs';";
  assert.deepEqual(importSpecifiers('x.ts', text), ['./a.js', './b.js', './c.js', './d.js']);
});
