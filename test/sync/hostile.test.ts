// A hostile remote is bounded (SYNC.md invariant 4, issue 9 item 7): scripted remotes on loopback drive a
// real graspd past each budget — frame size, inbound rate, historic buffers, NIP-11 size, the relays one
// announcement may add — and forgotten relays leave no metric series behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { announcement, newKey, sign } from '../helpers/events.js';
import { waitUntil } from '../helpers/process.js';
import { MiniRelay } from '../helpers/mini-relay.js';
import { graspd, host, metric, newFreshRepo, publish } from './kit.js';
import { metricValue } from '../gitfetch/kit.js';
import { fetchRelayInfo } from '../../src/sync/io/nip11-fetch.js';

async function mini(t: { after(fn: () => Promise<void>): void }, opts: Parameters<typeof MiniRelay.start>[0] = {}): Promise<MiniRelay> {
  const r = await MiniRelay.start(opts);
  t.after(() => r.close());
  return r;
}

function junkEvent(createdAt: number): Record<string, unknown> {
  return { id: randomBytes(32).toString('hex'), pubkey: randomBytes(32).toString('hex'), created_at: createdAt, kind: 30617, tags: [], content: '', sig: randomBytes(64).toString('hex') };
}

test('a frame larger than --max-message-bytes from a remote closes that link (1009)', async (t) => {
  let sent = false;
  const m = await mini(t, {
    onReq: (conn) => {
      if (sent) return false;
      sent = true;
      conn.ws.send(JSON.stringify(['NOTICE', 'x'.repeat(200 * 1024)]));
      return true;
    },
  });
  await graspd(t, { args: ['--bootstrap-relay', m.url, '--max-message-bytes', '65536'] });
  await waitUntil(() => m.stats.closeCodes.includes(1009), 'B to close the link on an oversized frame', 10_000, 50);
});

test('a remote flooding frames overdraws its inbound budget: reading pauses (metric + one log line) and resumes later', async (t) => {
  let flooded = false;
  const m = await mini(t, {
    onReq: (conn, subId) => {
      if (flooded) return false;
      flooded = true;
      const frame = JSON.stringify(['EVENT', subId, { kind: 1, junk: true }]);
      for (let i = 0; i < 100_000; i++) conn.ws.send(frame);
      return true;
    },
  });
  const b = await graspd(t, { args: ['--bootstrap-relay', m.url, '--sync-relay-events-per-second', '100', '--sync-relay-pause-ms', '4000'] });
  const pauses = `{relay="${m.url}",budget="messages"}`;
  const received = `{relay="${m.url}",result="received"}`;
  await waitUntil(async () => (await metricValue(b, 'graspd_sync_relay_budget_pauses_total', pauses)) >= 1, 'a budget pause', 15_000, 50);
  // what was read before the pause is still handled; after that nothing arrives until the pause ends
  await new Promise((r) => setTimeout(r, 500));
  const n1 = await metricValue(b, 'graspd_sync_events_total', received);
  await new Promise((r) => setTimeout(r, 1500));
  const n2 = await metricValue(b, 'graspd_sync_events_total', received);
  assert.ok(n1 >= 1000, `burst of 10 s of the rate admitted: ${n1}`);
  assert.equal(n2, n1, 'nothing read during the pause');
  assert.ok(n1 < 100_000, `flood cut short: ${n1}`);
  await waitUntil(async () => (await metricValue(b, 'graspd_sync_events_total', received)) > n2, 'reading to resume after the pause', 15_000, 100);
  const logLines = b.output.join('').split('\n').filter((l) => l.includes('over its inbound budget'));
  assert.equal(logLines.length, await metricValue(b, 'graspd_sync_relay_budget_pauses_total', pauses), 'one log line per pause');
});

test('a historic REQ answered with far more events than its limit and no EOSE is cut off and paged on', async (t) => {
  let flooded: string | undefined;
  const historic: Array<Record<string, unknown>> = [];
  const m = await mini(t, {
    nip11: { name: 'mini', supported_nips: [1, 11], limitation: { max_limit: 100 } },
    onReq: (conn, subId, filters) => {
      if (filters.some((f) => f.limit === 0)) return false; // live
      historic.push(...(filters as Array<Record<string, unknown>>));
      if (flooded !== undefined) return false;
      flooded = subId;
      const now = Math.floor(Date.now() / 1000);
      for (let i = 0; i < 5_000; i++) conn.ws.send(JSON.stringify(['EVENT', subId, junkEvent(now - i)]));
      return true;
    },
  });
  await graspd(t, { args: ['--bootstrap-relay', m.url] });
  await waitUntil(() => flooded !== undefined && m.stats.closes.includes(flooded), 'B to close the flooded historic sub', 10_000, 50);
  // paged on from what arrived: the next page ends before the last event kept
  await waitUntil(() => historic.length >= 2 && typeof historic[1]!.until === 'number', 'the next page to be asked for', 10_000, 50);
});

test('NIP-11 is read through the pinned address and a document streaming without end is cut off', async (t) => {
  let written = 0;
  let nip11Requests = 0;
  const m = await mini(t, {
    nip11: (_req, res) => {
      nip11Requests++;
      res.writeHead(200, { 'Content-Type': 'application/nostr+json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let open = true;
      res.on('close', () => (open = false));
      const pump = (): void => {
        while (open && written < 512 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.write('{"name":"');
      pump();
    },
  });
  const started = Date.now();
  await graspd(t, { args: ['--bootstrap-relay', m.url, '--sync-connect-timeout-ms', '5000'] });
  await waitUntil(() => m.stats.connections >= 1, 'the WebSocket after the NIP-11 attempt', 15_000, 20);
  assert.ok(nip11Requests >= 1);
  assert.ok(written < 32 * 1024 * 1024, `NIP-11 bytes the remote got to send: ${written} in ${Date.now() - started} ms`);

  // pinned: a host name no resolver knows, pointed at the checked address by the guard's lookup
  const good = await mini(t, { nip11: { name: 'pinned', supported_nips: [1, 11], limitation: { max_limit: 77 } } });
  const lookup = ((_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) => (o?.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4))) as unknown as import('node:net').LookupFunction;
  const info = await fetchRelayInfo(`ws://relay.pinned.invalid:${good.port}`, { timeoutMs: 3000, lookup });
  assert.equal(info.limits.maxLimit, 77);
});

test('one announcement adds at most --sync-max-relays-per-announcement relays, and at most --sync-max-relays-per-host of one host', async (t) => {
  const servers: TcpServer[] = [];
  const contacted = new Map<number, number>();
  for (let i = 0; i < 30; i++) {
    const s = createTcpServer((sock) => {
      const port = sock.localPort ?? 0;
      contacted.set(port, (contacted.get(port) ?? 0) + 1);
      sock.destroy();
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
  }
  t.after(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
  });
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  const run = async (args: string[], d: string): Promise<Set<number>> => {
    contacted.clear();
    const b = await graspd(t, { args });
    const owner = newKey();
    // unpushed: held in purgatory, its state is still synced from every relay it lists
    await publish(b.relayUrl, announcement(owner, d, [b.domain, ...ports.map((p) => `127.0.0.1:${p}`)]));
    await waitUntil(() => contacted.size > 0, 'first connection attempts', 10_000, 50);
    await new Promise((r) => setTimeout(r, 2500));
    await b.dispose();
    return new Set(contacted.keys());
  };
  const perHost = await run([], 'fan-out-host');
  assert.deepEqual([...perHost].sort(), ports.slice(0, 3).sort(), 'default: the first 3 relays of the one host');
  const perAnn = await run(['--sync-max-relays-per-host', '100', '--sync-max-relays-per-announcement', '5'], 'fan-out-ann');
  assert.deepEqual([...perAnn].sort(), ports.slice(0, 5).sort(), 'the first 5 relays of the announcement');
});

test('the metric series of a relay go when the relay is forgotten', async (t) => {
  const m = await mini(t);
  const b = await graspd(t);
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'forget', [b.domain, m.domain]);
  await host(b, repo);
  const label = `relay="${m.url}"`;
  await waitUntil(async () => (await metric(b, 'graspd_sync_bytes_total')).some((l) => l.includes(label)), 'traffic with the relay counted', 15_000, 100);
  // a newer announcement no longer lists it: B closes and forgets the relay
  const now = Math.floor(Date.now() / 1000) + 1;
  const replaced = sign(owner, 30617, [['d', repo.d], ['name', repo.d], ['clone', `http://${b.domain}/${owner.npub}/${repo.d}.git`], ['relays', `ws://${b.domain}`]], '', now);
  await publish(b.relayUrl, replaced);
  await waitUntil(() => m.conns.size === 0, 'B to drop the link', 15_000, 100);
  await waitUntil(async () => {
    const text = await (await fetch(`${b.httpUrl}/metrics`)).text();
    return !text.split('\n').some((l) => l.startsWith('graspd_sync_') && l.includes(label));
  }, 'no graspd_sync_ series of the forgotten relay', 15_000, 200);
});
