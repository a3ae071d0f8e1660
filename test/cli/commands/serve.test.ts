import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServeArgs } from '../../../src/cli/commands/serve.js';
import { UsageError } from '../../../src/errors.js';

void test('defaults bind to loopback on 8080 with the onnx engine on the CPU', () => {
  const a = parseServeArgs([]);
  assert.equal(a.server.host, '127.0.0.1');
  assert.equal(a.server.port, 8080);
  assert.equal(a.server.token, undefined);
  assert.deepEqual(a.server.iceServers, []);
  assert.equal(a.engine, 'onnx');
  assert.equal(a.device, 'cpu');
  assert.equal(a.threads, undefined);
  assert.equal(a.workers, undefined);
});

void test('flags map to server options', () => {
  const a = parseServeArgs(['--host', '0.0.0.0', '--port', '0', '--token', 'abcdefgh1', '--source', 'clip.mp4', '--allow-origin', 'http://localhost:5173', '--stun', 'stun:stun.example:3478', '--turn', 'turn:t.example', '--turn-user', 'u', '--turn-pass', 'p', '--max-sessions', '3']);
  assert.equal(a.server.host, '0.0.0.0');
  assert.equal(a.server.port, 0);
  assert.equal(a.server.token, 'abcdefgh1');
  assert.equal(a.server.source, 'clip.mp4');
  assert.deepEqual(a.server.allowOrigins, ['http://localhost:5173']);
  assert.deepEqual(a.server.iceServers, [{ urls: 'stun:stun.example:3478' }, { urls: 'turn:t.example', username: 'u', credential: 'p' }]);
  assert.equal(a.server.maxSessions, 3);
  const b = parseServeArgs(['--workers', '2', '--threads', '1']);
  assert.equal(b.workers, 2);
  assert.equal(b.threads, 1);
  const c = parseServeArgs(['--target-fps', '12', '--min-model-side', '160', '--fp32']);
  assert.equal(c.server.targetFps, 12);
  assert.equal(c.server.minModelSide, 160);
  assert.equal(c.server.preferInt8, false);
  assert.equal(parseServeArgs(['--target-fps', '0']).server.targetFps, 0);
  // Absent: the server's defaults (15 fps, floor 144, int8 copy preferred).
  assert.equal(parseServeArgs([]).server.targetFps, undefined);
  assert.equal(parseServeArgs([]).server.preferInt8, undefined);
  // The int8 kernels are the CPU provider's: on another device or engine the fp32 model is served.
  assert.equal(parseServeArgs(['--device', 'webgpu']).server.preferInt8, false);
  assert.equal(parseServeArgs(['--engine', 'tfjs']).server.preferInt8, false);
});

void test('bad flags are usage errors', () => {
  for (const argv of [['--port', '70000'], ['--workers', '0'], ['--workers', '1.5'], ['--token', 'short'], ['--engine', 'torch'], ['--allow-origin', 'evil'], ['--turn', 'turn:x'], ['--stun', 'http://x'], ['stray'], ['--target-fps', 'fast'], ['--min-model-side', '8']]) {
    assert.throws(() => parseServeArgs(argv), UsageError, argv.join(' '));
  }
  assert.throws(() => parseServeArgs(['--bogus']), /bogus/);
});
