import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRelays, type RelayCheckView } from './disconnect-check.js';
import { initialHealth } from './health.js';

const view = (over: Partial<RelayCheckView>): RelayCheckView => ({
  url: 'wss://r', connection: 'connected', isBootstrap: false, targeted: false, pendingBatches: 0, inFirstSync: false, health: initialHealth(), ...over,
});

test('closes a connected relay no repo lists, once its work is done', () => {
  assert.deepEqual(checkRelays([view({})], 0).close, ['wss://r']);
});

test('keeps bootstrap, targeted, busy and first-sync relays open', () => {
  const r = checkRelays([view({ url: 'b', isBootstrap: true }), view({ url: 't', targeted: true }), view({ url: 'p', pendingBatches: 1 }), view({ url: 'f', inFirstSync: true })], 0);
  assert.deepEqual(r.close, []);
});

test('retries wanted disconnected relays when health allows, including an empty bootstrap relay', () => {
  const later = { ...initialHealth(), failures: 1, nextAttemptAt: 100 };
  const r = checkRelays(
    [view({ url: 'b', connection: 'disconnected', isBootstrap: true }), view({ url: 't', connection: 'disconnected', targeted: true, health: later })],
    50,
  );
  assert.deepEqual(r.retry, ['b']);
  assert.deepEqual(checkRelays([view({ url: 't', connection: 'disconnected', targeted: true, health: later })], 100).retry, ['t']);
});

test('forgets disconnected relays nobody wants, leaves transitions alone', () => {
  const r = checkRelays([view({ connection: 'disconnected' }), view({ url: 'c', connection: 'connecting' }), view({ url: 'x', connection: 'closing' })], 0);
  assert.deepEqual(r, { close: [], retry: [], forget: ['wss://r'] });
});
