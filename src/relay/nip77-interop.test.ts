// Interop with an independent NIP-77 implementation: rust-nostr (wasm, the Rust `negentropy`
// crate) syncs both ways against a tiny relay on 127.0.0.1:0 that answers REQ/EVENT/NEG-* over
// an in-memory array with our responder.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
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

interface ClientReport {
  before: number;
  after: number;
  failed: number;
  local: string[];
  remote: string[];
  sent: string[];
  received: string[];
}

// rust-nostr leaves wasm timers pending after shutdown (the process would idle ~60 s), so the
// client runs in a worker thread that is terminated afterwards. Plain CommonJS: no tsx needed.
const CLIENT_SCRIPT = `
const { workerData, parentPort } = require('node:worker_threads');
require(workerData.fakeIdb);
const sdk = require(workerData.sdk);
(async () => {
  await sdk.loadWasmAsync();
  const db = await sdk.NostrDatabase.indexeddb(workerData.dbName);
  for (const json of workerData.events) {
    const ev = sdk.Event.fromJson(json);
    await db.save_event(ev);
    ev.free();
  }
  const filter = new sdk.Filter().kind(new sdk.Kind(1));
  const before = Number(await db.count(filter));
  const client = new sdk.ClientBuilder().database(db).build();
  await client.addRelay(workerData.url);
  await client.connect();
  await client.waitForConnection(sdk.Duration.fromSecs(5));
  const opts = new sdk.SyncOptions().direction(sdk.SyncDirection.Both).initialTimeout(sdk.Duration.fromSecs(5));
  const output = await client.sync(filter, opts);
  const r = output.report;
  const hex = (ids) => ids.map((id) => id.toHex());
  const report = { before, after: Number(await db.count(filter)), failed: output.failed.length,
    local: hex(r.local), remote: hex(r.remote), sent: hex(r.sent), received: hex(r.received) };
  await client.shutdown();
  parentPort.postMessage(report);
})().catch((err) => parentPort.postMessage({ error: String(err && err.stack || err) }));
`;

async function runRustClient(url: string, clientEvents: NostrEvent[]): Promise<ClientReport> {
  const worker = new Worker(CLIENT_SCRIPT, {
    eval: true,
    workerData: {
      url,
      dbName: `graspd-nip77-${randomBytes(4).toString('hex')}`,
      events: clientEvents.map((e) => JSON.stringify(e)),
      sdk: fileURLToPath(import.meta.resolve('@rust-nostr/nostr-sdk')),
      fakeIdb: fileURLToPath(import.meta.resolve('fake-indexeddb/auto')).replace(/index\.mjs$/, 'index.js'),
    },
  });
  try {
    const msg = await new Promise<ClientReport | { error: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`rust-nostr worker exited with ${code}`)));
    });
    if ('error' in msg) throw new Error(msg.error);
    return msg;
  } finally {
    await worker.terminate();
  }
}

test('rust-nostr syncs both directions against our responder', { timeout: 60_000 }, async () => {
  const common = Array.from({ length: 300 }, (_, i) => makeEvent(i, 'common'));
  const relayOnly = Array.from({ length: 700 }, (_, i) => makeEvent(i, 'relay'));
  const clientOnly = Array.from({ length: 120 }, (_, i) => makeEvent(i, 'client'));
  const relayEvents = [...common, ...relayOnly];
  const relay = await startRelay(relayEvents, 4096);
  try {
    const report = await runRustClient(relay.url, [...common, ...clientOnly]);
    const sorted = (ids: string[]): string[] => [...ids].sort();
    assert.equal(report.before, 420);
    assert.equal(report.failed, 0);
    assert.deepEqual(sorted(report.remote), sorted(relayOnly.map((e) => e.id)), 'ids only the relay had');
    assert.deepEqual(sorted(report.local), sorted(clientOnly.map((e) => e.id)), 'ids only the client had');
    assert.equal(report.received.length, 700);
    assert.equal(report.sent.length, 120);
    assert.equal(report.after, 1120);
    assert.equal(relayEvents.length, 1120);
  } finally {
    await relay.close();
  }
});

test('rust-nostr with an empty database downloads a relay set larger than one frame', { timeout: 60_000 }, async () => {
  const relayEvents = Array.from({ length: 2500 }, (_, i) => makeEvent(i, 'bulk'));
  const relay = await startRelay(relayEvents, 4096);
  try {
    const report = await runRustClient(relay.url, []);
    assert.equal(report.before, 0);
    assert.equal(new Set(report.remote).size, 2500);
    assert.equal(report.local.length, 0);
    assert.equal(report.after, 2500);
  } finally {
    await relay.close();
  }
});
