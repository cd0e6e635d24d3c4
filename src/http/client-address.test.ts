import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { clientAddress, trustedProxies } from './client-address.js';

const req = (peer: string, xff?: string | string[]): IncomingMessage =>
  ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

test('X-Forwarded-For is ignored unless the peer is a trusted proxy', () => {
  assert.equal(clientAddress(req('198.51.100.7', '203.0.113.1'), trustedProxies([])), '198.51.100.7');
  assert.equal(clientAddress(req('198.51.100.7', '203.0.113.1'), trustedProxies(['127.0.0.1'])), '198.51.100.7');
  assert.equal(clientAddress(req('::ffff:127.0.0.1', '203.0.113.1'), trustedProxies(['127.0.0.1'])), '203.0.113.1');
});

test('the right-most address that is not a trusted proxy is the client; spoofed entries further left are ignored', () => {
  const t = trustedProxies(['10.0.0.0/8', '127.0.0.1']);
  assert.equal(clientAddress(req('127.0.0.1', '1.2.3.4, 203.0.113.9, 10.1.2.3'), t), '203.0.113.9');
  assert.equal(clientAddress(req('127.0.0.1', ['1.2.3.4', '203.0.113.9']), t), '203.0.113.9');
  // only proxies in the chain: the left-most of them
  assert.equal(clientAddress(req('127.0.0.1', '10.0.0.5, 10.0.0.6'), t), '10.0.0.5');
  // garbage stops the walk: the last good hop counts
  assert.equal(clientAddress(req('127.0.0.1', 'nonsense, 10.0.0.6'), t), '10.0.0.6');
  // no header: the proxy itself
  assert.equal(clientAddress(req('127.0.0.1'), t), '127.0.0.1');
  assert.equal(clientAddress(req('127.0.0.1', '2001:db8::1'), t), '2001:db8::1');
});

test('trusted proxy entries: addresses and subnets, anything else throws', () => {
  assert.ok(trustedProxies(['fd00::/8']).has('fd12::1'));
  assert.ok(!trustedProxies(['10.0.0.0/8']).has('11.0.0.1'));
  assert.throws(() => trustedProxies(['example.com']));
  assert.throws(() => trustedProxies(['10.0.0.0/33']));
  assert.throws(() => trustedProxies(['10.0.0.0/8/1']));
});
