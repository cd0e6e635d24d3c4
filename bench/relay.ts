// Relay benchmarks against a real graspd process: end-to-end ingest rate (4 concurrent WebSocket clients,
// OK true counted) as a ratio to the raw verification rate of the same backend on all cores measured in
// the same run; live fan-out of one event to 1,000 subscriptions; RSS with 100k events and 1,000 connections.
// Standalone: `npm run build && node --import tsx bench/relay.ts`.
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import type { NostrEvent } from '../src/nostr/types.js';
import { measureRawVerifyRate } from './verify.js';
import { announcementFor, benchKey, memoryBreakdownMb, rssMb, signWith, spawnServer, type BenchServer } from './lib.js';
import type { BenchRow } from './types.js';

const GROUP = 'relay';
const INGEST_EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? 20_000);
const MEMORY_EVENTS = Number(process.env.BENCH_MEMORY_EVENTS ?? 100_000);
const CONNECTIONS = 1000;

function openWs(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Publishes events over one socket with a window of in-flight EVENTs; resolves with the OK true count. */
async function publishAll(ws: WebSocket, events: NostrEvent[], window = 256): Promise<number> {
  let next = 0;
  let done = 0;
  let ok = 0;
  return new Promise((resolve) => {
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as unknown[];
      if (f[0] !== 'OK') return;
      done++;
      if (f[2] === true) ok++;
      if (next < events.length) ws.send(JSON.stringify(['EVENT', events[next++]]));
      if (done === events.length) resolve(ok);
    });
    while (next < Math.min(window, events.length)) ws.send(JSON.stringify(['EVENT', events[next++]]));
  });
}

function makeRepoEvents(srv: BenchServer, n: number): { ann: NostrEvent; events: NostrEvent[] } {
  const owner = benchKey();
  const now = Math.floor(Date.now() / 1000);
  const ann = announcementFor(owner, 'bench', [srv.domain], now - 100_000);
  const authors = Array.from({ length: 16 }, () => benchKey());
  const coord = `30617:${owner.pk}:bench`;
  const events = Array.from({ length: n }, (_, i) =>
    signWith(authors[i % authors.length]!, 1621, [['a', coord], ['p', owner.pk], ['subject', `issue ${i}`]], `issue body ${i} `.padEnd(300, '.'), now - 90_000 + (i % 80_000)),
  );
  return { ann, events };
}

async function ingestRate(srv: BenchServer, events: NostrEvent[], clients = 4): Promise<number> {
  const sockets = await Promise.all(Array.from({ length: clients }, () => openWs(`ws://${srv.domain}`)));
  const shares = sockets.map((_, i) => events.filter((_, j) => j % clients === i));
  const t0 = performance.now();
  const oks = await Promise.all(sockets.map((ws, i) => publishAll(ws, shares[i]!)));
  const seconds = (performance.now() - t0) / 1000;
  for (const ws of sockets) ws.close();
  const total = oks.reduce((a, b) => a + b, 0);
  if (total !== events.length) throw new Error(`only ${total}/${events.length} OK true`);
  return events.length / seconds;
}

async function fanout(srv: BenchServer, ann: NostrEvent, extra: NostrEvent): Promise<number> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < CONNECTIONS; i += 100) sockets.push(...(await Promise.all(Array.from({ length: 100 }, () => openWs(`ws://${srv.domain}`)))));
  let got = 0;
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((r) => (resolveAll = r));
  await Promise.all(
    sockets.map(
      (ws, i) =>
        new Promise<void>((resolve) => {
          ws.on('message', (data) => {
            const f = JSON.parse(data.toString()) as unknown[];
            if (f[0] === 'EOSE') resolve();
            if (f[0] === 'EVENT' && (f[2] as NostrEvent).id === extra.id && ++got === sockets.length) resolveAll();
          });
          ws.send(JSON.stringify(['REQ', `f${i}`, { kinds: [1621], '#a': [`30617:${ann.pubkey}:bench`], limit: 0 }]));
        }),
    ),
  );
  const pub = await openWs(`ws://${srv.domain}`);
  const t0 = performance.now();
  pub.send(JSON.stringify(['EVENT', extra]));
  await all;
  const ms = performance.now() - t0;
  pub.close();
  (fanout as { sockets?: WebSocket[] }).sockets = sockets;
  return ms;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const cores = availableParallelism();
  const srv = await spawnServer(['--no-sync', '--verify-workers', String(cores), '--rate-limit-events-per-second', '1000000', '--rate-limit-burst', '1000000', '--max-connections-per-ip', '5000']);
  try {
    const { ann, events } = makeRepoEvents(srv, Math.max(INGEST_EVENTS, MEMORY_EVENTS));
    const rawRate = await measureRawVerifyRate(cores, events.slice(0, Math.min(10_000, events.length)));
    const ws = await openWs(`ws://${srv.domain}`);
    await publishAll(ws, [ann]);
    ws.close();
    const rate = await ingestRate(srv, events.slice(0, INGEST_EVENTS));
    rows.push({
      group: GROUP,
      name: 'ingest, 4 clients, OK true',
      value: Math.round(rate),
      unit: 'events/s',
      baseline: { name: `raw verify (${cores} workers)`, value: Math.round(rawRate), unit: 'events/s' },
      ratio: Number((rate / rawRate).toFixed(2)),
      target: '≥ 0.6',
    });
    if (MEMORY_EVENTS > INGEST_EVENTS) await ingestRate(srv, events.slice(INGEST_EVENTS, MEMORY_EVENTS));
    const extra = signWith(benchKey(), 1621, [['a', `30617:${ann.pubkey}:bench`]], 'fan-out probe', Math.floor(Date.now() / 1000));
    const fanMs = await fanout(srv, ann, extra);
    rows.push({ group: GROUP, name: `live fan-out of 1 event to ${CONNECTIONS} subscriptions`, value: Number(fanMs.toFixed(1)), unit: 'ms' });
    const rss = rssMb(srv.proc.pid!);
    rows.push({ group: GROUP, name: `RSS with ${MEMORY_EVENTS} events and ${CONNECTIONS} connections`, value: Math.round(rss), unit: 'MB', target: '≤ 300 MB' });
    const mem = memoryBreakdownMb(srv.proc.pid!);
    rows.push({ group: GROUP, name: '  of which anonymous (heaps, buffers)', value: Math.round(mem.anonymous), unit: 'MB' });
    rows.push({ group: GROUP, name: '  of which file-backed (mapped LMDB pages, code; reclaimable)', value: Math.round(mem.fileBacked), unit: 'MB' });
    for (const s of (fanout as { sockets?: WebSocket[] }).sockets ?? []) s.close();
  } finally {
    await srv.stop();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
