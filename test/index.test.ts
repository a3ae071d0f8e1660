import assert from 'node:assert/strict';
import { test } from 'node:test';

void test('the public API loads and exposes each stage', async () => {
  const api = await import('../src/index.js');
  for (const name of ['createStylizer', 'convertVideo', 'stylizeImages', 'startLiveServer', 'train', 'exportRun', 'buildFilmDataset', 'evaluateModel', 'saveModelPackage', 'loadModelPackage', 'getArchitecture']) {
    assert.equal(typeof (api as Record<string, unknown>)[name], 'function', name);
  }
  assert.equal(api.countParameters(api.getArchitecture('cartoongan')), 11_129_667);
});
