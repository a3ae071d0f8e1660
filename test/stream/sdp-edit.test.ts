import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterSdpCandidates, isLoopbackCandidate, setVideoBitrateHints } from '../../src/stream/sdp-edit.js';

void test('only loopback candidates pass the loopback filter', () => {
  assert.equal(isLoopbackCandidate('candidate:1 1 udp 2122063615 127.0.0.1 34973 typ host generation 0'), true);
  assert.equal(isLoopbackCandidate('candidate:1 1 udp 2122063615 ::1 34973 typ host'), true);
  assert.equal(isLoopbackCandidate('candidate:1 1 udp 2122194687 192.0.2.2 55805 typ host'), false);
  assert.equal(isLoopbackCandidate('garbage'), false);
  const sdp = ['v=0', 'a=candidate:1 1 udp 1 192.0.2.2 5 typ host', 'a=candidate:2 1 udp 1 127.0.0.1 6 typ host', 'a=end-of-candidates'].join('\r\n');
  assert.equal(filterSdpCandidates(sdp, isLoopbackCandidate), ['v=0', 'a=candidate:2 1 udp 1 127.0.0.1 6 typ host', 'a=end-of-candidates'].join('\r\n'));
});

void test('bitrate hints go on every video codec fmtp line, replacing old ones, and nowhere else', () => {
  const sdp = [
    'v=0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98',
    'a=rtpmap:96 VP8/90000',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    'a=rtpmap:98 H264/90000',
    'a=fmtp:98 level-asymmetry-allowed=1;x-google-max-bitrate=5',
    '',
  ].join('\r\n');
  const out = setVideoBitrateHints(sdp, { minKbps: 8000, startKbps: 8000, maxKbps: 20000 }).split('\r\n');
  const hints = 'x-google-min-bitrate=8000;x-google-start-bitrate=8000;x-google-max-bitrate=20000';
  assert.ok(out.includes(`a=fmtp:96 ${hints}`), 'VP8 without fmtp gets one');
  assert.equal(out.indexOf(`a=fmtp:96 ${hints}`), out.indexOf('a=rtpmap:96 VP8/90000') + 1);
  assert.ok(out.includes(`a=fmtp:98 level-asymmetry-allowed=1;${hints}`), out.join('\n'));
  assert.ok(out.includes('a=fmtp:97 apt=96'), 'rtx untouched');
  assert.ok(out.includes('a=fmtp:111 minptime=10;useinbandfec=1'), 'audio untouched');
});
