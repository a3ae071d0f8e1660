import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClientMessage, parseModelsResponse, parseServerMessage, type ServerMessage } from '../../src/stream/protocol.js';
import { SessionStats } from '../../src/stream/session-stats.js';

void test('valid messages parse', () => {
  assert.deepEqual(parseClientMessage('{"type":"hello","transport":"ws","mode":"live"}'), { ok: true, message: { type: 'hello', transport: 'ws', mode: 'live' } });
  assert.deepEqual(parseClientMessage('{"type":"report","latencyMs":42.5}'), { ok: true, message: { type: 'report', latencyMs: 42.5 } });
  assert.deepEqual(parseClientMessage('{"type":"candidate","candidate":"candidate:1 1 udp 1 127.0.0.1 5 typ host","sdpMid":"0","sdpMLineIndex":0}').ok, true);
});

void test('garbage closes with 1007, unknown types with 1003', () => {
  for (const text of ['not json', '[1,2]', 'null', '{"type":"hello","transport":"carrier-pigeon","mode":"live"}', '{"type":"report","latencyMs":"fast"}', '{"type":"offer"}']) {
    const r = parseClientMessage(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) assert.equal(r.closeCode, 1007, text);
  }
  const r = parseClientMessage('{"type":"launch-missiles"}');
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.closeCode, 1003);
});

void test('hello may ask for stamped frames with a boolean, nothing else', () => {
  assert.deepEqual(parseClientMessage('{"type":"hello","transport":"webrtc","mode":"live","stamp":true}'), { ok: true, message: { type: 'hello', transport: 'webrtc', mode: 'live', stamp: true } });
  assert.deepEqual(parseClientMessage('{"type":"hello","transport":"webrtc","mode":"live","stamp":false}'), { ok: true, message: { type: 'hello', transport: 'webrtc', mode: 'live' } });
  const bad = parseClientMessage('{"type":"hello","transport":"webrtc","mode":"live","stamp":"yes"}');
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.equal(bad.closeCode, 1007);
});

void test('parseServerMessage accepts every message the server sends, with a real stats snapshot', () => {
  const st = new SessionStats('abc', 'ws', 'live', 'default');
  st.framesIn = 3;
  st.addModelMs(12.5);
  const messages: ServerMessage[] = [
    { type: 'ready', sessionId: 'abc', model: 'default', mode: 'live', transport: 'ws' },
    { type: 'took', waitedMs: 1, idleMs: 0, modelMs: 80, lanes: 2 },
    { type: 'answer', sdp: 'v=0\r\n' },
    { type: 'candidate', candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    { type: 'stats', stats: st.snapshot() },
    { type: 'error', message: 'model failed' },
  ];
  for (const m of messages) assert.deepEqual(parseServerMessage(JSON.stringify(m)), { ok: true, message: m }, m.type);
});

void test('parseServerMessage refuses what the viewer would otherwise have cast blindly', () => {
  assert.deepEqual(parseServerMessage('{nope'), { ok: false, reason: 'invalid JSON' });
  assert.deepEqual(parseServerMessage('{"type":"launch"}'), { ok: false, reason: 'unknown message type' });
  assert.equal(parseServerMessage('{"type":"took","waitedMs":"1","idleMs":0,"modelMs":1,"lanes":1}').ok, false);
  assert.equal(parseServerMessage('{"type":"stats","stats":{"framesIn":1}}').ok, false);
  assert.equal(parseServerMessage('{"type":"ready","sessionId":"a","model":"m","mode":"live","transport":"carrier-pigeon"}').ok, false);
  assert.equal(parseServerMessage('{"type":"answer"}').ok, false);
});

void test('parseModelsResponse: the /api/models answer, webrtc on when an older server leaves it out', () => {
  assert.deepEqual(parseModelsResponse({ default: 'default', models: ['default', 'x'], broadcast: false }), { default: 'default', models: ['default', 'x'], broadcast: false, webrtc: true });
  assert.equal(parseModelsResponse({ default: 'default', models: [1], broadcast: false }), null);
  assert.equal(parseModelsResponse('nope'), null);
});
