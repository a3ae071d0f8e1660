import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSelectExpression, buildSelectFramesArgs, fitShortSide } from '../../src/media/keyframe-args.js';

void test('select expression: first frame, scene change after the spacing, periodic gap', () => {
  assert.equal(buildSelectExpression({ sceneThreshold: 0.3, minSpacing: 0.5, maxGap: 4 }), 'isnan(prev_selected_t)+gte(t-prev_selected_t,4)+gt(scene,0.3)*gte(t-prev_selected_t,0.5)');
  assert.equal(buildSelectExpression({ sceneThreshold: 0.25, minSpacing: 1, maxGap: 0 }), 'isnan(prev_selected_t)+gt(scene,0.25)*gte(t-prev_selected_t,1)');
  assert.equal(buildSelectExpression({ sceneThreshold: 0, maxGap: 2.5 }), 'isnan(prev_selected_t)+gte(t-prev_selected_t,2.5)');
  assert.throws(() => buildSelectExpression({ sceneThreshold: 0, maxGap: 0 }), RangeError);
  assert.throws(() => buildSelectExpression({ sceneThreshold: 1.5 }), RangeError);
  assert.throws(() => buildSelectExpression({ minSpacing: -1 }), RangeError);
});

void test('select args: file: input, protocol whitelist, vfr, rgb24 on stdout, optional scale', () => {
  const args = buildSelectFramesArgs({ input: 'concat:a|b.mp4', sceneThreshold: 0.3, scaleTo: { width: 640, height: 360 } });
  assert.equal(args[args.indexOf('-i') + 1], 'file:concat:a|b.mp4');
  assert.equal(args[args.indexOf('-protocol_whitelist') + 1], 'file,pipe');
  assert.equal(args[args.indexOf('-vf') + 1], "select='isnan(prev_selected_t)+gt(scene,0.3)*gte(t-prev_selected_t,0.5)',scale=640:360:flags=area");
  assert.equal(args[args.indexOf('-fps_mode') + 1], 'vfr');
  assert.deepEqual(args.slice(-5), ['-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1']);
  assert.ok(!buildSelectFramesArgs({ input: 'x.mp4' }).join(' ').includes('scale='));
});

void test('fitShortSide keeps the aspect ratio with even sides and never upscales', () => {
  assert.deepEqual(fitShortSide(1920, 1080, 720), { width: 1280, height: 720 });
  assert.deepEqual(fitShortSide(1080, 1920, 720), { width: 720, height: 1280 });
  assert.deepEqual(fitShortSide(640, 360, 720), { width: 640, height: 360 });
  assert.deepEqual(fitShortSide(4000, 3000, 0), { width: 4000, height: 3000 });
  assert.deepEqual(fitShortSide(5842, 720, 300), { width: 2434, height: 300 });
});
