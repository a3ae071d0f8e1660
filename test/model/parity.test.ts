/**
 * tfjs and ONNX Runtime must compute the same image from the same weights: random weights, random
 * uint8 input, at 256x256 and at an odd size that exercises the in-graph padding and crop.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ort } from '../../src/engine/onnx-runtime.js';
import { initTfjs } from '../../src/engine/tfjs-backend.js';
import { exportOnnx, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../../src/model/onnx-export.js';
import { initParams } from '../../src/model/params.js';
import { getArchitecture } from '../../src/model/spec.js';
import { paramsToTensors, stylizeImagesTf } from '../../src/model/tfjs-forward.js';

function randomBytes(n: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

for (const arch of ['fast', 'cartoongan'] as const) {
  void test(`tfjs and ONNX Runtime agree within 1 grey level on 99.9% of values: ${arch}`, async () => {
    await initTfjs('wasm');
    const spec = getArchitecture(arch);
    const params = initParams(spec, 42);
    const session = await ort.InferenceSession.create(exportOnnx(spec, params));
    const vars = paramsToTensors(params);
    try {
      for (const [w, h] of [[256, 256], [250, 131]] as const) {
        const input = randomBytes(h * w * 3, w * 1000 + h);
        const onnxOut = (await session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('uint8', input, [1, h, w, 3]) }))[ONNX_OUTPUT_NAME];
        assert.ok(onnxOut);
        assert.deepEqual(onnxOut.dims, [1, h, w, 3]);
        const a = onnxOut.data as Uint8Array;
        const y = stylizeImagesTf(spec, vars, tf.tensor4d(input, [1, h, w, 3], 'int32'));
        const b = y.dataSync();
        y.dispose();
        assert.equal(a.length, b.length);
        let within = 0;
        let exact = 0;
        let saturated = 0;
        for (let i = 0; i < a.length; i++) {
          const d = Math.abs(a[i]! - b[i]!);
          if (d <= 1) within++;
          if (d === 0) exact++;
          if (a[i] === 0 || a[i] === 255) saturated++;
        }
        assert.ok(within / a.length >= 0.999, `${arch} ${w}x${h}: only ${((100 * within) / a.length).toFixed(3)}% within 1 level`);
        // Guard against a vacuous pass (everything clipped to 0/255 agrees trivially).
        assert.ok(saturated / a.length < 0.6, `${arch} ${w}x${h}: ${((100 * saturated) / a.length).toFixed(1)}% saturated`);
        assert.ok(exact / a.length > 0.9, `${arch} ${w}x${h}: only ${((100 * exact) / a.length).toFixed(1)}% exact`);
      }
    } finally {
      await session.release();
      for (const t of Object.values(vars)) t.dispose();
    }
  });
}
