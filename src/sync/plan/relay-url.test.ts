import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeRelayUrl, relayFromCloneUrl, isOwnRelay, ownRelayUrls } from './relay-url.js';

const NPUB = 'npub1' + 'q'.repeat(58);

test('normalizeRelayUrl lower-cases scheme and host, drops default port and trailing slash', () => {
  assert.equal(normalizeRelayUrl('WSS://Relay.Example.COM:443/'), 'wss://relay.example.com');
  assert.equal(normalizeRelayUrl('ws://relay.example.com:80'), 'ws://relay.example.com');
  assert.equal(normalizeRelayUrl('ws://127.0.0.1:7777/'), 'ws://127.0.0.1:7777');
  assert.equal(normalizeRelayUrl('wss://r.example/nostr/'), 'wss://r.example/nostr');
  assert.equal(normalizeRelayUrl('  wss://r.example  '), 'wss://r.example');
});

test('normalizeRelayUrl keeps a non-default port and a path case', () => {
  assert.equal(normalizeRelayUrl('wss://r.example:444/Inbox'), 'wss://r.example:444/Inbox');
});

test('normalizeRelayUrl refuses non-ws schemes and malformed input', () => {
  assert.equal(normalizeRelayUrl('https://r.example'), undefined);
  assert.equal(normalizeRelayUrl('r.example'), undefined);
  assert.equal(normalizeRelayUrl('wss://'), undefined);
  assert.equal(normalizeRelayUrl(''), undefined);
  assert.equal(normalizeRelayUrl('wss://user:pw@r.example'), undefined);
});

test('relayFromCloneUrl maps a GRASP clone URL to its relay', () => {
  assert.equal(relayFromCloneUrl(`https://Git.Example/${NPUB}/my-repo.git`), 'wss://git.example');
  assert.equal(relayFromCloneUrl(`http://127.0.0.1:8080/${NPUB}/r.git`), 'ws://127.0.0.1:8080');
  assert.equal(relayFromCloneUrl(`https://git.example:443/${NPUB}/r.git/`), 'wss://git.example');
});

test('relayFromCloneUrl ignores non-GRASP clone URLs', () => {
  assert.equal(relayFromCloneUrl('https://github.com/user/repo.git'), undefined);
  assert.equal(relayFromCloneUrl(`https://git.example/x/${NPUB}/r.git`), undefined);
  assert.equal(relayFromCloneUrl(`https://git.example/${NPUB}/r`), undefined);
  assert.equal(relayFromCloneUrl(`ssh://git.example/${NPUB}/r.git`), undefined);
  assert.equal(relayFromCloneUrl('not a url'), undefined);
});

test('isOwnRelay compares normal forms', () => {
  const own = ownRelayUrls({ domain: 'Grasp.Example', host: '127.0.0.1', port: 8080 });
  assert.deepEqual(own, ['ws://grasp.example', 'wss://grasp.example', 'ws://127.0.0.1:8080']);
  assert.equal(isOwnRelay('wss://grasp.example/', own), true);
  assert.equal(isOwnRelay('ws://127.0.0.1:8080', own), true);
  assert.equal(isOwnRelay('wss://grasp.example.evil', own), false);
  assert.equal(isOwnRelay('garbage', own), false);
});
