/**
 * The server's WebRTC session against a second @roamhq/wrtc peer in this process (no browser): the
 * offer is answered with loopback candidates only and without any error reported (it used to log
 * "Attempted to set RtpParameters with different encoding count" once per session), and the binding
 * still cannot cap a sender's bitrate (why rtc-session.ts does not try).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RtcSession } from '../../src/stream/rtc-session.js';
import type { ServerMessage } from '../../src/stream/protocol.js';
import { isLoopbackCandidate } from '../../src/stream/sdp-edit.js';
import { SessionStats } from '../../src/stream/session-stats.js';
import { loadWrtc } from '../../src/stream/wrtc-binding.js';

/** The browser's side: a peer with one video track, as the viewer offers it. */
async function browserOffer() {
  const wrtc = loadWrtc();
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] }) as unknown as { createOffer(): Promise<{ type: 'offer'; sdp: string }>; setLocalDescription(d: unknown): Promise<void>; setRemoteDescription(d: unknown): Promise<void>; close(): void; addTrack: (t: unknown, s: unknown) => unknown };
  const source = new wrtc.nonstandard.RTCVideoSource();
  const track = source.createTrack();
  pc.addTrack(track, new wrtc.MediaStream([track]));
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  return { pc, offer, close: () => (pc.close(), track.stop()) };
}

void test('a loopback session answers an offer with loopback candidates and reports no error', async () => {
  const browser = await browserOffer();
  const sent: ServerMessage[] = [];
  const errors: unknown[] = [];
  const session = new RtcSession({
    send: (m) => sent.push(m),
    stats: new SessionStats('t', 'webrtc', 'live', 'default'),
    getStylizer: () => Promise.reject(new Error('no frames in this test')),
    iceServers: [],
    loopbackOnly: true,
    gatherTimeoutMs: 2000,
    onGone: () => undefined,
    onError: (err) => errors.push(err),
  });
  try {
    await session.onOffer(browser.offer.sdp);
    const answer = sent.find((m): m is Extract<ServerMessage, { type: 'answer' }> => m.type === 'answer');
    assert.ok(answer, 'an answer was sent');
    const candidates = answer.sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
    assert.ok(candidates.every((c) => isLoopbackCandidate(c.slice(2))), candidates.join('\n'));
    await browser.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    assert.deepEqual(errors.map(String), []);
  } finally {
    await session.close();
    browser.close();
  }
});

void test('@roamhq/wrtc refuses setParameters even right after getParameters (so the encoder cannot be capped)', async () => {
  // If this starts to pass, the binding can cap the encoder: restore a maxBitrate on loopback in rtc-session.ts.
  const wrtc = loadWrtc();
  const browser = await browserOffer();
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  const source = new wrtc.nonstandard.RTCVideoSource();
  const track = source.createTrack();
  try {
    await pc.setRemoteDescription(browser.offer);
    const sender = pc.addTrack(track, new wrtc.MediaStream([track]));
    await pc.setLocalDescription(await pc.createAnswer());
    assert.ok(sender.getParameters && sender.setParameters);
    const params = sender.getParameters();
    assert.equal(params.encodings.length, 1, 'one encoding once negotiated');
    for (const e of params.encodings) e.maxBitrate = 2_000_000;
    await assert.rejects(sender.setParameters(params), (err: unknown) => (err as { name?: string }).name === 'InvalidStateError');
    assert.equal(sender.getParameters().encodings[0]?.maxBitrate, undefined, 'no cap was applied');
  } finally {
    pc.close();
    track.stop();
    browser.close();
  }
});
