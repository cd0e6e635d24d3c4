// Test harness for the git module (used by *.test.ts only): a GitService behind a plain node:http
// server on 127.0.0.1:0, with in-memory deps (announced repos, maintainer sets, states, PR events)
// and a git client runner. States are real signed events (nostr-tools finalizeEvent).
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalizeEvent, generateSecretKey, getPublicKey, nip19 } from 'nostr-tools';
import { silentLogger } from '../log/logger.js';
import type { NostrEvent } from '../nostr/types.js';
import { runGit, type GitResult } from './git-cli.js';
import { GitService, type GitDeps } from './git-service.js';

export interface Key { sk: Uint8Array; pk: string; npub: string }

export function newKey(): Key {
  const sk = generateSecretKey();
  const pk = getPublicKey(sk);
  return { sk, pk, npub: nip19.npubEncode(pk) };
}

const dTag = (e: NostrEvent): string | undefined => e.tags.find((t) => t[0] === 'd')?.[1];

export function signState(key: Key, d: string, refs: Record<string, string>, opts: { head?: string; createdAt?: number } = {}): NostrEvent {
  const tags = [['d', d], ...Object.entries(refs)];
  if (opts.head) tags.push(['HEAD', `ref: ${opts.head}`]);
  return finalizeEvent({ kind: 30618, created_at: opts.createdAt ?? Math.floor(Date.now() / 1000), tags, content: '' }, key.sk);
}

export function signPr(key: Key, owner: string, d: string, tip: string | undefined): NostrEvent {
  const tags = [['a', `30617:${owner}:${d}`], ...(tip ? [['c', tip]] : [])];
  return finalizeEvent({ kind: 1618, created_at: Math.floor(Date.now() / 1000), tags, content: 'pr' }, key.sk);
}

export interface GitKit extends AsyncDisposable {
  svc: GitService;
  dataDir: string;
  base: string;
  states: NostrEvent[];
  prs: Map<string, NostrEvent>;
  accepted: Array<Parameters<GitDeps['onPushAccepted']>[0]>;
  /** registers an announcement (owner + maintainers) and creates the repo */
  announce(owner: Key, d: string, maintainers?: string[]): Promise<string>;
  url(owner: Key, d: string): string;
  close(): Promise<void>;
}

export async function startGitKit(opts: { maxBodyBytes?: number; timeoutMs?: number; now?: () => number } = {}): Promise<GitKit> {
  const dataDir = mkdtempSync(join(tmpdir(), 'graspd-git-test-'));
  const repos: Array<{ ownerPubkey: string; d: string; maintainers: string[] }> = [];
  const states: NostrEvent[] = [];
  const prs = new Map<string, NostrEvent>();
  const accepted: GitKit['accepted'] = [];
  // recursive maintainer set, as grasp-requirements.md §2 defines it
  const set = (owner: string, d: string): Set<string> => {
    const s = new Set([owner]);
    for (let grew = true; grew;) {
      grew = false;
      for (const r of repos) {
        if (r.d !== d || !s.has(r.ownerPubkey)) continue;
        for (const m of r.maintainers) if (!s.has(m)) { s.add(m); grew = true; }
      }
    }
    return s;
  };
  const server: Server = createServer((req, res) => {
    svc.handle(req, res).then((handled) => {
      if (!handled) { res.writeHead(404); res.end('not found'); }
    }, (e: Error) => { res.writeHead(500); res.end(e.message); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const domain = `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const base = `http://${domain}`;
  const svc = new GitService({
    dataDir, gitTimeoutMs: opts.timeoutMs ?? 30_000, gitMaxBodyBytes: opts.maxBodyBytes ?? 64 * 1024 * 1024,
    domain, tls: false, log: silentLogger,
    ...(opts.now ? { now: opts.now } : {}),
    authorisedStates: async (owner, d) =>
      states.filter((e) => dTag(e) === d && set(owner, d).has(e.pubkey)).sort((a, b) => b.created_at - a.created_at),
    findPrEvent: async (id) => prs.get(id),
    onPushAccepted: async (info) => { accepted.push(info); },
    reposGovernedBy: async (state) =>
      repos.filter((r) => r.d === dTag(state) && set(r.ownerPubkey, r.d).has(state.pubkey)).map(({ ownerPubkey, d }) => ({ ownerPubkey, d })),
    repoMeta: async () => ({ name: 'Test <repo>', description: 'a "test" & more' }),
  });
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
  };
  return {
    svc, dataDir, base, states, prs, accepted, close,
    [Symbol.asyncDispose]: close,
    url: (owner, d) => `${base}/${owner.npub}/${encodeURIComponent(d)}.git`,
    async announce(owner, d, maintainers = []) {
      repos.push({ ownerPubkey: owner.pk, d, maintainers });
      await svc.ensureRepo(owner.pk, d);
      return `${base}/${owner.npub}/${encodeURIComponent(d)}.git`;
    },
  };
}

/** Runs a git client command (clean env, deterministic identity and dates). */
export function git(args: string[], env: Record<string, string> = {}): Promise<GitResult> {
  return runGit(['-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], {
    env: { GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z', ...env },
    unmetered: true,
  });
}

export async function mustGit(args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await git(args, env);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} → ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A fresh work tree with `init`. */
export async function workRepo(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'graspd-git-work-'));
  await mustGit(['init', '-q', dir]);
  return dir;
}

/** Commits a file with `content` on the current branch; returns the commit sha. */
export async function commit(work: string, content: string, file = 'test.txt'): Promise<string> {
  writeFileSync(join(work, file), content);
  await mustGit(['-C', work, 'add', '--', file]);
  await mustGit(['-C', work, 'commit', '-q', '-m', content.slice(0, 200)]);
  return mustGit(['-C', work, 'rev-parse', 'HEAD']);
}
