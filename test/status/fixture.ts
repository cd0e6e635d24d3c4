// A graspd (A) with what the status page shows: a remote relay it syncs with (B, a second graspd), a
// bootstrap relay that refuses connections, a served repository with a hostile name, and a repository
// whose announcement waits in purgatory. Used by the JSON/CLI test and the browser test.
import type { TestContext } from 'node:test';
import { createServer } from 'node:net';
import { freePort, waitUntil, type Graspd } from '../helpers/process.js';
import { newKey, sign, state, type Key } from '../helpers/events.js';
import { graspd, publish, push, type Repo } from '../sync/kit.js';
import { commit, workRepo } from '../../src/git/test-kit.js';
import type { StatusReport } from '../../src/status/types.js';

export const HOSTILE_NAME = '<script>document.title="pwned"</script><b>bold</b> & "quoted"';
export const ADMIN_TOKEN = 'test-admin-token-123';

export interface StatusWorld {
  a: Graspd;
  b: Graspd;
  /** a bootstrap relay address where nothing listens */
  deadRelay: string;
  owner: Key;
  served: Repo;
  waiting: { d: string };
}

/** Announcement with a chosen display name (remote-controlled text). */
function namedAnnouncement(owner: Key, d: string, name: string, domains: string[]) {
  return sign(owner, 30617, [
    ['d', d],
    ['name', name],
    ['description', `status test ${d}`],
    ['clone', ...domains.map((h) => `http://${h}/${owner.npub}/${d}.git`)],
    ['relays', ...domains.map((h) => `ws://${h}`)],
  ]);
}

async function closedPort(): Promise<number> {
  // bound and closed at once: connections are refused
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 1));
    });
  });
}

export async function statusWorld(t: TestContext): Promise<StatusWorld> {
  const b = await graspd(t, { args: ['--no-sync'] });
  const deadRelay = `ws://127.0.0.1:${await closedPort()}`;
  const pa = await freePort();
  const a = await graspd(t, { port: pa, args: ['--bootstrap-relay', b.relayUrl, '--bootstrap-relay', deadRelay, '--admin-token', ADMIN_TOKEN] });
  const owner = newKey();
  const work = await workRepo();
  const c = await commit(work, 'init');
  const served: Repo = { owner, d: 'hostile', ann: namedAnnouncement(owner, 'hostile', HOSTILE_NAME, [a.domain, b.domain]), state: state(owner, 'hostile', { 'refs/heads/main': c }), commit: c, work };
  await publish(a.relayUrl, served.ann, served.state);
  if (!(await push(a, served))) throw new Error('push to A failed');
  const waiting = { d: 'waiting-for-push' };
  await publish(a.relayUrl, namedAnnouncement(owner, waiting.d, 'Waiting', [a.domain]));
  return { a, b, deadRelay, owner, served, waiting };
}

export async function getStatus(g: { httpUrl: string }): Promise<StatusReport> {
  const r = await fetch(`${g.httpUrl}/api/status`);
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return (await r.json()) as StatusReport;
}

/** Waits until A reports B connected and the dead relay failing (the report is cached a few seconds). */
export async function settled(w: StatusWorld): Promise<StatusReport> {
  let last: StatusReport | undefined;
  await waitUntil(async () => {
    last = await getStatus(w.a);
    const b = last.relays.find((r) => r.url === w.b.relayUrl);
    const dead = last.relays.find((r) => r.url === w.deadRelay);
    return b?.connection === 'connected' && b.firstSyncDone && (dead?.failures ?? 0) > 0 && last.repos.length === 2;
  }, 'status shows B connected and synced, the dead relay failing and both repositories', 30_000, 500);
  return last!;
}
