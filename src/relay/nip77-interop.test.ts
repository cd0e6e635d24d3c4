// Interop with an independent NIP-77 implementation: rust-nostr (wasm, the Rust `negentropy`
// crate) syncs both ways against a tiny relay on 127.0.0.1:0 that answers REQ/EVENT/NEG-* over
// an in-memory array with our responder.
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import {
  ClientBuilder,
  Duration,
  Event as RustEvent,
  Filter,
  Kind,
  NostrDatabase,
  SyncDirection,
  SyncOptions,
  loadWasmAsync,
} from '@rust-nostr/nostr-sdk';
import { matchFilters, type Filter as NtFilter } from 'nostr-tools';
import { signSchnorr, xOnlyPointFromScalar } from 'tiny-secp256k1';
import { WebSocketServer, type WebSocket } from 'ws';
import { computeEventId } from '../nostr/event.js';
import type { NostrEvent } from '../nostr/types.js';
import { tinySecpBackend, verifyEventSync } from '../nostr/verify.js';
import { NegentropySessions, negFrame } from './nip77-sessions.js';

const sk = randomBytes(32);
const pubkey = Buffer.from(xOnlyPointFromScalar(sk)).toString('hex');
function makeEvent(i: number, salt: string): NostrEvent {
  // Few distinct timestamps, so ranges split on id prefixes too.
  const e = { pubkey, created_at: 1_700_000_000 + (i % 37), kind: 1, tags: [], content: `${salt} ${i}` };
  const id = computeEventId(e);
  return { ...e, id, sig: Buffer.from(signSchnorr(Buffer.from(id, 'hex'), sk)).toString('hex') };
}

/** A relay just big enough for rust-nostr's sync: EVENT, REQ (stored events, then EOSE), NEG-*. */
async function startRelay(events: NostrEvent[], frameSizeLimit: number): Promise<{ url: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws: WebSocket) => {
    const sessions = new NegentropySessions({ frameSizeLimit });
    const send = (msg: unknown[]): void => ws.send(JSON.stringify(msg));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as unknown[];
      const [type, a, b, c] = msg;
      if (type === 'EVENT') {
        const out = verifyEventSync(a, tinySecpBackend);
        const e = a as NostrEvent;
        if (out.ok && !events.some((x) => x.id === e.id)) events.push(e);
        send(['OK', e.id, out.ok, out.ok ? '' : out.reason]);
      } else if (type === 'REQ') {
        const filters = msg.slice(2) as NtFilter[];
        for (const e of events) if (matchFilters(filters, e)) send(['EVENT', a, e]);
        send(['EOSE', a]);
      } else if (type === 'NEG-OPEN') {
        const items = events.filter((e) => matchFilters([b as NtFilter], e));
        send(negFrame(String(a), sessions.open(String(a), items, String(c))));
      } else if (type === 'NEG-MSG') {
        send(negFrame(String(a), sessions.message(String(a), String(b))));
      } else if (type === 'NEG-CLOSE') {
        sessions.close(String(a));
      }
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () => {
      for (const c of wss.clients) c.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}

test('rust-nostr syncs both directions against our responder', { timeout: 60_000 }, async () => {
  await loadWasmAsync();
  const common = Array.from({ length: 300 }, (_, i) => makeEvent(i, 'common'));
  const relayOnly = Array.from({ length: 700 }, (_, i) => makeEvent(i, 'relay'));
  const clientOnly = Array.from({ length: 120 }, (_, i) => makeEvent(i, 'client'));
  const relayEvents = [...common, ...relayOnly];
  const relay = await startRelay(relayEvents, 4096);

  const db = await NostrDatabase.indexeddb(`graspd-nip77-${randomBytes(4).toString('hex')}`);
  for (const e of [...common, ...clientOnly]) {
    const ev = RustEvent.fromJson(JSON.stringify(e));
    await db.save_event(ev);
    ev.free();
  }
  const kind = new Kind(1);
  const filter = new Filter().kind(kind);
  assert.equal(await db.count(filter), 420n);
  const client = new ClientBuilder().database(db).build();
  try {
    await client.addRelay(relay.url);
    await client.connect();
    await client.waitForConnection(Duration.fromSecs(5));
    const opts = new SyncOptions().direction(SyncDirection.Both).initialTimeout(Duration.fromSecs(5));
    const output = await client.sync(filter, opts);
    const report = output.report;
    assert.deepEqual(output.failed.length, 0);
    const hexes = (ids: Array<{ toHex(): string }>): string[] => ids.map((id) => id.toHex()).sort();
    assert.deepEqual(hexes(report.remote), relayOnly.map((e) => e.id).sort(), 'ids only the relay had');
    assert.deepEqual(hexes(report.local), clientOnly.map((e) => e.id).sort(), 'ids only the client had');
    assert.equal(report.received.length, 700);
    assert.equal(report.sent.length, 120);
    assert.equal(relayEvents.length, 1120);
    assert.equal(await db.count(filter), 1120n);
    report.free();
    output.free();
  } finally {
    await client.disconnect();
    client.free();
    filter.free();
    await relay.close();
  }
});
