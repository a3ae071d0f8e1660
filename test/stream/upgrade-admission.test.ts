/** Who may open the live server's socket, decided without a socket (upgrade-admission.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admitUpgrade, type AdmissionPolicy, type OpenSockets, type UpgradeRequest } from '../../src/stream/upgrade-admission.js';

const TOKEN = 'secret-token-0123';
const policy: AdmissionPolicy = { token: TOKEN, allowOrigins: ['http://localhost:5173'], maxSessions: 8, maxConnectionsPerAddress: 4 };
const none: OpenSockets = { total: 0, fromAddress: 0 };
const request = (over: Partial<UpgradeRequest> = {}): UpgradeRequest => ({ url: `/ws?token=${TOKEN}`, origin: 'http://127.0.0.1:8080', host: '127.0.0.1:8080', ...over });

void test('a same-origin request with the token, under both caps, is admitted', () => {
  assert.deepEqual(admitUpgrade(request(), none, policy), { admit: true });
  assert.deepEqual(admitUpgrade(request({ origin: undefined }), none, policy), { admit: true }, 'a script sends no Origin');
  assert.deepEqual(admitUpgrade(request({ origin: 'http://localhost:5173' }), none, policy), { admit: true }, 'a listed origin');
  assert.deepEqual(admitUpgrade(request(), { total: 7, fromAddress: 3 }, policy), { admit: true }, 'one below each cap');
});

void test('only /ws upgrades: any other path, or a target that does not parse, is 404 and not counted', () => {
  for (const url of ['/', '/api/stats?token=' + TOKEN, '/ws/extra?token=' + TOKEN, '//', undefined]) {
    assert.deepEqual(admitUpgrade(request({ url }), none, policy), { admit: false, reason: 'path', status: 404, statusText: 'Not Found' }, String(url));
  }
});

void test('a missing, wrong or truncated token is 401', () => {
  for (const url of ['/ws', '/ws?token=', '/ws?token=wrong-token-wrong', `/ws?token=${TOKEN.slice(0, -1)}`, `/ws?tok=${TOKEN}`]) {
    assert.deepEqual(admitUpgrade(request({ url }), none, policy), { admit: false, reason: 'token', status: 401, statusText: 'Unauthorized' }, url);
  }
});

void test('a foreign or non-URL Origin is 403', () => {
  for (const origin of ['https://evil.example', 'http://127.0.0.1:9999', 'null']) {
    assert.deepEqual(admitUpgrade(request({ origin }), none, policy), { admit: false, reason: 'origin', status: 403, statusText: 'Forbidden' }, origin);
  }
});

void test('the server cap is 503, the per-address cap 429', () => {
  assert.deepEqual(admitUpgrade(request(), { total: 8, fromAddress: 0 }, policy), { admit: false, reason: 'sessions', status: 503, statusText: 'Service Unavailable' });
  assert.deepEqual(admitUpgrade(request(), { total: 1, fromAddress: 4 }, policy), { admit: false, reason: 'address', status: 429, statusText: 'Too Many Requests' });
  assert.equal(admitUpgrade(request(), none, { ...policy, maxSessions: 0 }).admit, false, 'a cap of 0 admits nobody');
});

void test('checks run in a fixed order: path, token, Origin, server cap, address cap', () => {
  const full: OpenSockets = { total: 8, fromAddress: 4 };
  const reason = (r: UpgradeRequest, open: OpenSockets): string => {
    const a = admitUpgrade(r, open, policy);
    return a.admit ? 'admit' : a.reason;
  };
  assert.equal(reason(request({ url: '/nope', origin: 'https://evil.example' }), full), 'path');
  assert.equal(reason(request({ url: '/ws', origin: 'https://evil.example' }), full), 'token', 'an anonymous probe learns nothing about the Origin or the load');
  assert.equal(reason(request({ origin: 'https://evil.example' }), full), 'origin');
  assert.equal(reason(request(), full), 'sessions');
  assert.equal(reason(request(), { total: 0, fromAddress: 4 }), 'address');
});
