// Memory under a hostile client (issue "Safe in public"): 10 connections each open 100 REQs for 500 large stored
// events and never read a byte. Without paging that would be ~25 GB of result strings; with the per-connection
// and per-subscription budgets the server's RSS growth stays in the tens of MB. Reported against the server's
// own RSS with the data loaded, measured in the same run.
// Standalone: `npm run build && node --import tsx bench/hostile.ts`.
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { commit, mustGit, workRepo } from '../src/git/test-kit.js';
import { publish } from '../test/sync/kit.js';
import { announcementFor, benchKey, rssMb, signWith, spawnServer } from './lib.js';
import type { BenchRow } from './types.js';

const GROUP = 'hostile';
const EVENTS = 500;
const CONTENT_BYTES = 50_000;
const CONNECTIONS = 10;
const REQS = 100;
const WATCH_MS = Number(process.env.BENCH_HOSTILE_MS ?? 15_000);

export async function run(): Promise<BenchRow[]> {
  const srv = await spawnServer(['--no-sync', '--min-free-disk-bytes', '0', '--max-content-bytes', String(CONTENT_BYTES + 1000)]);
  const sockets: WebSocket[] = [];
  try {
    const owner = benchKey();
    const now = Math.floor(Date.now() / 1000);
    const work = await workRepo();
    const tip = await commit(work, 'bench');
    await publish(`ws://${srv.domain}`, announcementFor(owner, 'hostile', [srv.domain], now - 10),
      signWith(owner, 30618, [['d', 'hostile'], ['refs/heads/main', tip], ['HEAD', 'ref: refs/heads/main']], '', now - 10));
    await mustGit(['-C', work, 'push', `${srv.url}/${owner.npub}/hostile.git`, 'HEAD:refs/heads/main']);
    const author = benchKey();
    const body = 'y'.repeat(CONTENT_BYTES);
    const coord = `30617:${owner.pk}:hostile`;
    const events = Array.from({ length: EVENTS }, (_, i) => signWith(author, 1621, [['a', coord], ['p', owner.pk], ['subject', `i${i}`]], `${i} ${body}`, now - EVENTS + i));
    for (let i = 0; i < events.length; i += 100) await publish(`ws://${srv.domain}`, ...events.slice(i, i + 100));
    await new Promise((r) => setTimeout(r, 1000));
    const loaded = rssMb(srv.proc.pid!);

    for (let c = 0; c < CONNECTIONS; c++) {
      const ws = new WebSocket(`ws://${srv.domain}`, { perMessageDeflate: false });
      await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
      (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      for (let i = 0; i < REQS; i++) ws.send(JSON.stringify(['REQ', `s${i}`, { kinds: [1621], limit: EVENTS }]));
      sockets.push(ws);
    }
    let peak = loaded;
    const until = Date.now() + WATCH_MS;
    while (Date.now() < until) {
      if (srv.proc.exitCode !== null) throw new Error('server died under the hostile clients');
      peak = Math.max(peak, rssMb(srv.proc.pid!));
      await new Promise((r) => setTimeout(r, 250));
    }
    const naive = (CONNECTIONS * REQS * EVENTS * CONTENT_BYTES) / 1e6;
    return [
      { group: GROUP, name: `RSS growth, ${CONNECTIONS} conns × ${REQS} REQs × ${EVENTS} events of ${CONTENT_BYTES / 1000} KB, never read`, value: peak - loaded, unit: 'MB',
        baseline: { name: 'server RSS with the data loaded', value: loaded, unit: 'MB' }, ratio: (peak - loaded) / loaded, target: 'bounded by the budgets' },
      { group: GROUP, name: 'result bytes those REQs ask for (unpaged)', value: naive, unit: 'MB', baseline: { name: 'peak RSS', value: peak, unit: 'MB' }, ratio: peak / naive },
    ];
  } finally {
    for (const ws of sockets) ws.terminate();
    await srv.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(JSON.stringify(r));
}
