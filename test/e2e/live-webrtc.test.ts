/**
 * The live filter over WebRTC in real headless Chromium: the fake camera (a still test picture) goes
 * to the server, comes back stylized, and the received pixels match running the same model on the
 * camera picture (within codec tolerance) while differing strongly from the picture itself.
 */
import { after, before, test } from 'node:test';
import { checkSessionMatchesModel, startLiveE2e, type LiveE2e } from './live-fixtures.js';

let e2e: LiveE2e;

before(async () => {
  e2e = await startLiveE2e();
});

after(async () => {
  await e2e?.close();
});

void test('a WebRTC session receives stylized frames that match the model', async () => {
  await checkSessionMatchesModel(e2e, 'webrtc');
});
