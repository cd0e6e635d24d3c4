// Purgatory through the relay: held events are not served nor broadcast, are released by the API the git
// layer calls, survive a restart, and expire after --purgatory-expiry-ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithClient, startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';
import { announcement, issue, newKey } from '../helpers/events.js';
import type { NostrEvent } from '../../src/nostr/types.js';

test('a new announcement is held in purgatory: OK true, not served, not broadcast; release serves and broadcasts it', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const listener = await TestClient.connect(srv.relayUrl);
  t.after(() => listener.close());
  listener.send(['REQ', 'anns', { kinds: [30617] }]);
  await listener.waitFor((f) => f[0] === 'EOSE');

  const k = newKey();
  const ann = announcement(k, 'held', [srv.config.domain]);
  assert.deepEqual(await c.publish(ann), { ok: true, message: "purgatory: won't be served until git data arrives" });
  assert.deepEqual(await c.query([{ kinds: [30617] }]), []);
  // an issue on a repo in purgatory is accepted (the repo is accepted, only not yet served)
  assert.equal((await c.publish(issue(k, k, 'held'))).ok, true);
  assert.equal(listener.frames.filter((f) => f[0] === 'EVENT').length, 0);

  assert.equal(await srv.ingest.release(ann.id), true);
  assert.deepEqual(await c.query([{ kinds: [30617] }]), [ann]);
  await listener.waitFor((f) => f[0] === 'EVENT' && (f[2] as NostrEvent).id === ann.id);
});

test('an announcement not listing this service is blocked', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const r = await c.publish(announcement(newKey(), 'elsewhere', ['other.example:443']));
  assert.equal(r.ok, false);
  assert.match(r.message, /^blocked:/);
});

test('purgatory survives a restart', async (t) => {
  const srv = await startTestServer();
  const c = await TestClient.connect(srv.relayUrl);
  const k = newKey();
  const ann = announcement(k, 'durable', [srv.config.domain]);
  assert.equal((await c.publish(ann)).ok, true);
  c.close();
  await srv.stop({ keepData: true });

  // same data dir, same domain: the entry is still held and can be released
  const again = await startTestServer(['--domain', srv.config.domain], { dataDir: srv.dataDir });
  t.after(() => again.stop());
  const c2 = await TestClient.connect(again.relayUrl);
  t.after(() => c2.close());
  assert.match((await c2.publish(ann)).message, /^duplicate:/);
  assert.equal(await again.ingest.release(ann.id), true);
  assert.deepEqual(await c2.query([{ kinds: [30617] }]), [ann]);
});

test('purgatory entries expire after --purgatory-expiry-ms and are never released', async (t) => {
  const { srv, c } = await serverWithClient(t, ['--purgatory-expiry-ms', '300']);
  const ann = announcement(newKey(), 'expiring', [srv.config.domain]);
  assert.match((await c.publish(ann)).message, /^purgatory:/);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(await srv.ingest.release(ann.id), false, 'expired entries are never released');
  assert.deepEqual(await c.query([{ kinds: [30617] }]), []);
});

test('stored events survive a restart (OK true means durable)', async (t) => {
  const srv = await startTestServer();
  const c = await TestClient.connect(srv.relayUrl);
  const k = newKey();
  const ann = announcement(k, 'persist', [srv.config.domain]);
  await c.publish(ann);
  await srv.ingest.release(ann.id);
  const iss = issue(k, k, 'persist');
  assert.equal((await c.publish(iss)).ok, true);
  c.close();
  await srv.stop({ keepData: true });
  const again = await startTestServer(['--domain', srv.config.domain], { dataDir: srv.dataDir });
  t.after(() => again.stop());
  const c2 = await TestClient.connect(again.relayUrl);
  t.after(() => c2.close());
  const got = await c2.query([{ kinds: [30617, 1621] }]);
  assert.deepEqual(new Set(got.map((e) => e.id)), new Set([ann.id, iss.id]));
});
