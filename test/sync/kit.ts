// Shared steps of the multi-process sync tests: host a repo (announcement + state + git push), publish
// and query over real WebSockets, and wait for events to show up on a server.
import type { TestContext } from 'node:test';
import { TestClient } from '../helpers/client.js';
import { announcement, sign, state, type Key } from '../helpers/events.js';
import { startGraspd, waitUntil, type Graspd, type GraspdOptions } from '../helpers/process.js';
import { WsProxy } from '../helpers/ws-proxy.js';
import { commit, git, workRepo } from '../../src/git/test-kit.js';
import type { NostrEvent, NostrFilter } from '../../src/nostr/types.js';

export interface Repo {
  owner: Key;
  d: string;
  ann: NostrEvent;
  state: NostrEvent;
  commit: string;
  work: string;
}

/** Starts graspd and registers its cleanup on the test. */
export async function graspd(t: TestContext, opts: GraspdOptions = {}): Promise<Graspd> {
  const g = await startGraspd(opts);
  t.after(() => g.dispose());
  return g;
}

export async function proxy(t: TestContext, upstreamPort: number, port = 0): Promise<WsProxy> {
  const p = await WsProxy.start(upstreamPort, port);
  t.after(() => p.close());
  return p;
}

/** Announcement (listing `domains`) and state for a fresh repo with one commit. */
export async function newRepo(owner: Key, d: string, domains: string[]): Promise<Repo> {
  const work = await workRepo();
  const c = await commit(work, `init ${d}`);
  return { owner, d, ann: announcement(owner, d, domains), state: state(owner, d, { 'refs/heads/main': c }), commit: c, work };
}

export async function publish(relayUrl: string, ...events: NostrEvent[]): Promise<void> {
  const c = await TestClient.connect(relayUrl);
  try {
    for (const e of events) {
      const r = await c.publish(e);
      if (!r.ok) throw new Error(`publish ${e.kind} refused: ${r.message}`);
    }
  } finally {
    c.close();
  }
}

export async function push(g: { httpUrl: string }, repo: Repo): Promise<boolean> {
  const r = await git(['-C', repo.work, 'push', '-q', `${g.httpUrl}/${repo.owner.npub}/${repo.d}.git`, 'HEAD:refs/heads/main']);
  return r.code === 0;
}

/** Publishes announcement + state to `g` and pushes the git data: the repo is served there. */
export async function host(g: Graspd, repo: Repo): Promise<void> {
  await publish(g.relayUrl, repo.ann, repo.state);
  if (!(await push(g, repo))) throw new Error('push failed');
}

/** Pushes to `g` once sync brought the announcement and state there (retries until accepted). */
export async function pushWhenSynced(g: Graspd, repo: Repo, timeoutMs = 20_000): Promise<void> {
  await waitUntil(() => push(g, repo), `announcement and state of ${repo.d} synced to ${g.domain}`, timeoutMs, 200);
}

export async function query(relayUrl: string, filters: NostrFilter[]): Promise<NostrEvent[]> {
  const c = await TestClient.connect(relayUrl);
  try {
    return await c.query(filters);
  } finally {
    c.close();
  }
}

/** Waits until every event is served by the relay. */
export async function waitForEvents(relayUrl: string, events: NostrEvent[], what: string, timeoutMs = 20_000, chunk = 400): Promise<void> {
  const want = new Set(events.map((e) => e.id));
  let missing = want.size;
  await waitUntil(async () => {
    const got = new Set<string>();
    for (let i = 0; i < events.length; i += chunk) {
      for (const e of await query(relayUrl, [{ ids: events.slice(i, i + chunk).map((x) => x.id) }])) got.add(e.id);
    }
    missing = [...want].filter((id) => !got.has(id)).length;
    return missing === 0;
  }, what, timeoutMs, 150).catch((err: Error) => {
    throw new Error(`${err.message}; still missing ${missing}`);
  });
}

export async function has(relayUrl: string, id: string): Promise<boolean> {
  return (await query(relayUrl, [{ ids: [id] }])).length > 0;
}

export function patch(key: Key, repo: Repo, title: string): NostrEvent {
  return sign(key, 1617, [['a', `30617:${repo.owner.pk}:${repo.d}`], ['p', repo.owner.pk], ['t', 'root']], `From: x\nSubject: [PATCH] ${title}\n\n---\n`);
}

export function pr(key: Key, repo: Repo, title: string): NostrEvent {
  return sign(key, 1618, [['a', `30617:${repo.owner.pk}:${repo.d}`], ['p', repo.owner.pk], ['subject', title], ['c', repo.commit], ['clone', 'http://example.invalid/x.git']], title);
}

/** A reply to a comment (NIP-22): root E stays the root event, e is the parent comment. */
export function reply(key: Key, root: NostrEvent, parent: NostrEvent, text: string): NostrEvent {
  return sign(key, 1111, [['E', root.id], ['K', String(root.kind)], ['P', root.pubkey], ['e', parent.id], ['k', '1111'], ['p', parent.pubkey]], text);
}

export async function metric(g: Graspd, name: string): Promise<string[]> {
  const r = await fetch(`${g.httpUrl}/metrics`);
  return (await r.text()).split('\n').filter((l) => l.startsWith(name));
}

const nowSec = (): number => Math.floor(Date.now() / 1000);

/** Events stamped with the current time (test/helpers/events.ts stamps ~1000 s in the past, older than a
 * quick reconnect's catch-up window: right for history, wrong for "published during the outage"). */
export const fresh = {
  issue: (key: Key, repo: Repo, title: string): NostrEvent =>
    sign(key, 1621, [['a', `30617:${repo.owner.pk}:${repo.d}`], ['p', repo.owner.pk], ['subject', title]], title, nowSec()),
  comment: (key: Key, root: NostrEvent, text: string): NostrEvent =>
    sign(key, 1111, [['E', root.id], ['K', String(root.kind)], ['P', root.pubkey], ['e', root.id], ['k', String(root.kind)], ['p', root.pubkey]], text, nowSec()),
  reply: (key: Key, root: NostrEvent, parent: NostrEvent, text: string): NostrEvent =>
    sign(key, 1111, [['E', root.id], ['K', String(root.kind)], ['P', root.pubkey], ['e', parent.id], ['k', '1111'], ['p', parent.pubkey]], text, nowSec()),
  state: (repo: Repo): NostrEvent =>
    sign(repo.owner, 30618, [['d', repo.d], ['refs/heads/main', repo.commit], ['HEAD', 'ref: refs/heads/main']], '', nowSec()),
  announcement: (key: Key, d: string, domains: string[]): NostrEvent =>
    sign(key, 30617, [['d', d], ['name', d], ['clone', ...domains.map((h) => `http://${h}/${key.npub}/${d}.git`)], ['relays', ...domains.map((h) => `ws://${h}`)]], '', nowSec()),
};

/** A repo whose announcement and state carry the current time. */
export async function newFreshRepo(owner: Key, d: string, domains: string[]): Promise<Repo> {
  const r = await newRepo(owner, d, domains);
  const repo = { ...r, ann: fresh.announcement(owner, d, domains) };
  return { ...repo, state: fresh.state(repo) };
}
