/** The session policy of file conversion (src/engine/video-stylizer.ts): pure, no model loaded. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliMessage } from '../../src/cli/option-flags.js';
import { physicalCores } from '../../src/engine/cpu-cores.js';
import { videoSessions } from '../../src/engine/video-stylizer.js';

void test('videoSessions: two sessions on the CPU for a light model and frames up to 640x360 pixels that fit one tile, else one; --workers wins', () => {
  const two = Math.min(2, physicalCores());
  const fast = 5.2;
  assert.equal(videoSessions({}, { width: 640, height: 360 }, fast), two);
  assert.equal(videoSessions({}, { width: 360, height: 640 }, fast), two);
  assert.equal(videoSessions({}, { width: 1280, height: 720 }, fast), 1, 'large frames keep both threads busy alone');
  assert.equal(videoSessions({}, { width: 640, height: 360 }, 54.4), 1, 'cartoongan keeps the cores busy alone');
  assert.equal(videoSessions({}, { width: 640, height: 360 }), 1, 'unknown compute');
  assert.equal(videoSessions({ device: 'cuda' }, { width: 640, height: 360 }, fast), 1);
  assert.equal(videoSessions({ engine: 'tfjs' }, { width: 640, height: 360 }, fast), 1);
  assert.equal(videoSessions({ tile: 256 }, { width: 640, height: 360 }, fast), 1);
  assert.equal(videoSessions({ workers: 3 }, { width: 1920, height: 1080 }, 54.4), 3);
  assert.equal(videoSessions({ workers: 1 }, { width: 640, height: 360 }, fast), 1);
  const cli = (re: RegExp) => (err: unknown) => err instanceof Error && re.test(cliMessage(err));
  assert.throws(() => videoSessions({ workers: 2, tile: 256 }, { width: 640, height: 360 }), cli(/--workers 2 needs frames that fit one tile \(640x360 > --tile 256\); use --workers 1 or --max-side$/));
  assert.throws(() => videoSessions({ workers: 0 }, { width: 64, height: 64 }), cli(/--workers must be an integer ≥ 1/));
});
