// What a scripted spammer with throw-away keys can still cost the server under the default quotas: for one
// minute it announces new repositories as fast as the server answers (10 per key, the per-author purgatory cap,
// then a fresh key). Reported: repositories it got held (bounded by --max-purgatory-repos), disk they take, the
// server's CPU share during the attack, and the refusal rate once the caps are reached.
// Standalone: `npm run build && node --import tsx bench/spam.ts`.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { announcementFor, benchKey, spawnServer } from './lib.js';
import { directoryBytes } from '../src/app/disk.js';
import type { BenchRow } from './types.js';

const GROUP = 'spam';
const DURATION_MS = Number(process.env.BENCH_SPAM_MS ?? 60_000);
const PER_KEY = 10;

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, clock ticks at 100 Hz
}

export async function run(): Promise<BenchRow[]> {
  const srv = await spawnServer(['--min-free-disk-bytes', '0']);
  try {
    const ws = new WebSocket(`ws://${srv.domain}`, { perMessageDeflate: false });
    await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
    const idleDisk = directoryBytes(srv.dataDir);
    const cpu0 = cpuSeconds(srv.proc.pid!);
    const t0 = performance.now();
    let accepted = 0;
    let refused = 0;
    let sent = 0;
    let refusedAfterCap = 0;
    let capAt: number | undefined;
    let key = benchKey();
    const now = Math.floor(Date.now() / 1000);
    await new Promise<void>((resolve) => {
      const sendOne = (): void => {
        if (performance.now() - t0 > DURATION_MS) return resolve();
        if (sent % PER_KEY === 0) key = benchKey();
        ws.send(JSON.stringify(['EVENT', announcementFor(key, `spam-${sent}`, [srv.domain], now)]));
        sent++;
      };
      ws.on('message', (data) => {
        const f = JSON.parse(data.toString()) as unknown[];
        if (f[0] !== 'OK') return;
        if (f[2] === true) accepted++;
        else {
          refused++;
          if (capAt === undefined && String(f[3]).includes('too many new repositories')) capAt = performance.now() - t0;
          if (capAt !== undefined) refusedAfterCap++;
        }
        sendOne();
      });
      for (let i = 0; i < 32; i++) sendOne();
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(srv.proc.pid!) - cpu0;
    ws.close();
    const disk = directoryBytes(srv.dataDir) - idleDisk;
    const minute = 60 / seconds;
    return [
      { group: GROUP, name: 'repositories held after the attack (default caps)', value: accepted, unit: 'repos', target: '≤ 1000 (--max-purgatory-repos)' },
      { group: GROUP, name: 'disk taken by them', value: disk / 1e6, unit: 'MB', baseline: { name: 'per repository', value: accepted > 0 ? disk / accepted / 1e3 : 0, unit: 'KB' } },
      { group: GROUP, name: 'server CPU during the attack', value: (cpu / seconds) * 100, unit: '% of a core', baseline: { name: 'CPU s per minute', value: cpu * minute, unit: 's' } },
      { group: GROUP, name: 'announcements answered per minute', value: (accepted + refused) * minute, unit: '/min', baseline: { name: 'cap reached after', value: (capAt ?? NaN) / 1000, unit: 's' } },
      { group: GROUP, name: 'refused once capped', value: refusedAfterCap, unit: 'events' },
    ];
  } finally {
    await srv.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(JSON.stringify(r));
}
