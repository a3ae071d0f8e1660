/** src/bench/text-table.ts: the one table formatter every benchmark prints with. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTable } from '../../src/bench/text-table.js';

void test('aligned: labels left, numbers right, two spaces apart under a dashed rule', () => {
  const table = formatTable(['model', 'size', 'fps'], [['fast', '256x256', '12.5'], ['fast (int8)', '640x360', '7.0']], { leftColumns: 2 });
  assert.equal(table, [
    'model        size      fps',
    '-----------  -------  ----',
    'fast         256x256  12.5',
    'fast (int8)  640x360   7.0',
  ].join('\n'));
});

void test('markdown: a pipe table with every cell padded to its column', () => {
  assert.equal(formatTable(['measure', 'value'], [['seconds', '1.5'], ['peak RSS', '900 MB']], { style: 'markdown' }), [
    '| measure  | value  |',
    '|----------|--------|',
    '| seconds  | 1.5    |',
    '| peak RSS | 900 MB |',
  ].join('\n'));
});

void test('a short row leaves its missing cells blank instead of failing', () => {
  assert.equal(formatTable(['a', 'b'], [['x']]), 'a  b\n-  -\nx');
});
