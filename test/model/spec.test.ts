import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARCHITECTURE_NAMES, countMacs, countParameters, describeParameters, getArchitecture, gmacAt256, type ArchitectureName } from '../../src/model/spec.js';

void test('cartoongan has exactly the seed generator parameter count (about 11.1M)', () => {
  // conv_in 7x7x3x64+64, IN; down blocks 3x3 64→128 (s2) + 128→128, 128→256 (s2) + 256→256, one IN each;
  // 8 residual blocks of two 3x3 256→256 convs and two INs; up blocks convT 256→128 + conv 128→128,
  // convT 128→64 + conv 64→64, one IN each; conv_out 7x7x64x3+3.
  const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;
  const inorm = (c: number) => 2 * c;
  const expected =
    conv(7, 3, 64) + inorm(64) +
    conv(3, 64, 128) + conv(3, 128, 128) + inorm(128) +
    conv(3, 128, 256) + conv(3, 256, 256) + inorm(256) +
    8 * (2 * conv(3, 256, 256) + 2 * inorm(256)) +
    conv(3, 256, 128) + conv(3, 128, 128) + inorm(128) +
    conv(3, 128, 64) + conv(3, 64, 64) + inorm(64) +
    conv(7, 64, 3);
  assert.equal(expected, 11_129_667);
  assert.equal(countParameters(getArchitecture('cartoongan')), 11_129_667);
});

void test('fast stays within 1.5M parameters and 8 GMAC at 256x256', () => {
  const spec = getArchitecture('fast');
  assert.equal(countParameters(spec), 1_040_966);
  assert.ok(countParameters(spec) <= 1_500_000);
  assert.ok(countMacs(spec, 256, 256) <= 8e9, `fast has ${countMacs(spec, 256, 256) / 1e9} GMAC`);
  assert.ok(gmacAt256(spec) > 5.9 && gmacAt256(spec) < 6);
  // At least 8x fewer MACs than cartoongan: the budget behind the 5x speed target.
  assert.ok(countMacs(getArchitecture('cartoongan'), 256, 256) / countMacs(spec, 256, 256) > 8);
});

void test('patchgan is the seed discriminator: 7 convs, 3 instance norms, output 1 channel', () => {
  const spec = getArchitecture('patchgan');
  assert.equal(spec.role, 'discriminator');
  assert.equal(spec.outChannels, 1);
  const convs = spec.layers.filter((l) => l.op === 'conv');
  assert.deepEqual(convs.map((l) => (l.op === 'conv' ? [l.cout, l.stride] : [])), [[32, 1], [64, 2], [128, 1], [128, 2], [256, 1], [256, 1], [1, 1]]);
  assert.equal(spec.layers.filter((l) => l.op === 'instanceNorm').length, 3);
  assert.equal(countParameters(spec), 1_129_665);
});

void test('countMacs counts conv and upsampling MACs, with ceil for strided odd sizes', () => {
  const spec = getArchitecture('fast');
  // Hand count at 256x256.
  const hw = (s: number) => s * s;
  const expected =
    hw(256) * (9 * 3 * 32 + 32 * 3) + // the palette path: a 3×3 conv, then a 1×1
    hw(256) * 49 * 3 * 32 + hw(128) * 9 * 32 * 64 + hw(64) * 9 * 64 * 128 +
    6 * hw(64) * 9 * 128 * 128 +
    hw(64) * 128 * 64 + hw(128) * 9 * 64 * 64 + // up1: 1×1 projection at 1/4, 3×3 conv after the 2× upsampling
    hw(128) * 64 * 32 + hw(256) * 9 * 32 * 32 + // up2: the same one level up
    hw(256) * 9 * 32 * 3;
  assert.equal(countMacs(spec, 256, 256), expected);
  // Odd sizes: 5x5 → 3x3 → 2x2 for the discriminator's two stride-2 convs.
  const d = getArchitecture('patchgan');
  const m = countMacs(d, 5, 5);
  const exp = 25 * 9 * 3 * 32 + 9 * 9 * 32 * 64 + 9 * 9 * 64 * 128 + 4 * 9 * 128 * 128 + 4 * 9 * 128 * 256 + 4 * 9 * 256 * 256 + 4 * 9 * 256;
  assert.equal(m, exp);
  // Transposed convolutions (cartoongan's up blocks) scatter k×k×cout per input pixel and channel.
  const c = getArchitecture('cartoongan');
  const up = c.layers.filter((l) => l.op === 'convTranspose');
  assert.equal(up.length, 2);
});

void test('parameter names are unique and every architecture is buildable', () => {
  for (const name of ARCHITECTURE_NAMES) {
    const names = describeParameters(getArchitecture(name)).map((p) => p.name);
    assert.equal(new Set(names).size, names.length, `${name} has duplicate parameter names`);
  }
  assert.throws(() => getArchitecture('nope' as ArchitectureName), /unknown architecture 'nope'/);
});

void test('getArchitecture returns a fresh spec each call', () => {
  const a = getArchitecture('fast');
  a.layers.length = 0;
  assert.ok(getArchitecture('fast').layers.length > 0);
});
