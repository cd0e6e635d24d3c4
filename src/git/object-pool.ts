// Shared object storage for copies of one repository (issue 11), as Gitaly's object pools do it: one bare
// pool repo per network under <dataDir>/pools, which fetches the heads and tags of every member into
// refs/members/<member>/…; members name the pool in objects/info/alternates (a relative path) and are
// repacked locally (-l), so shared objects are stored once, in the pool.
// Safety rules:
// - the pool is never pruned (a member may hold refs to objects that only the pool has);
// - a repo joins only after the pool has fetched its refs, and leaves only after a repack without -l
//   copied everything it reaches into its own packs and a connectivity check passed without the pool;
// - deleting a member directory leaves the pool and the other members intact (its pool refs are dropped
//   at the next sweep, its objects stay in the pool);
// - pools are per network (repo-network.ts): a repo never borrows from another network's pool;
// - refs/nostr/* PR refs are not fetched into the pool: anyone may push them, and only the pool's
//   never-pruned store would keep them forever; their objects stay in the member and expire there.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Logger } from '../log/logger.js';
import { initBareRepo, listRefs, runGit, updateRefs } from './git-cli.js';
import { assignPools } from './repo-network.js';
import { ZERO_OID } from './state-refs.js';

/** Groups of repo dirs that form one network each (two or more repos; see repo-network.ts). */
export type NetworkOf = (repoDirs: readonly string[]) => Promise<string[][]>;

export interface PoolOptions {
  dataDir: string;
  log: Logger;
  withRepoLock<T>(dir: string, fn: () => Promise<T>): Promise<T>;
  timeoutMs: number;
}

export function poolsRoot(dataDir: string): string {
  return join(dataDir, 'pools');
}

export class PoolManager {
  readonly #o: PoolOptions;
  readonly #root: string;

  constructor(o: PoolOptions) {
    this.#o = o;
    this.#root = poolsRoot(o.dataDir);
  }

  isPool(dir: string): boolean {
    return resolve(dirname(dir)) === resolve(this.#root);
  }

  list(): string[] {
    let names: string[];
    try { names = readdirSync(this.#root); } catch { return []; }
    return names.filter((n) => /^[0-9a-f]{32}(-\d+)?\.git$/.test(n)).map((n) => join(this.#root, n)).filter((d) => existsSync(join(d, 'HEAD')));
  }

  poolDir(id: string): string {
    return join(this.#root, `${id}.git`);
  }

  /** The pool a repo borrows from (its alternates name a pool of ours), as a pool id. */
  currentPool(dir: string): string | undefined {
    for (const line of readAlternates(dir)) {
      const target = resolve(join(dir, 'objects'), line);
      const m = /^([0-9a-f]{32}(?:-\d+)?)\.git$/.exec(relative(this.#root, dirname(target)));
      if (m) return m[1];
    }
    return undefined;
  }

  /** Key of a member's refs in the pool: stable for its directory. */
  memberKey(dir: string): string {
    return createHash('sha256').update(relative(this.#o.dataDir, resolve(dir))).digest('hex').slice(0, 32);
  }

  /**
   * Brings pool membership in line with the networks: leaves, joins, and a refresh of every pool's member
   * refs. Returns the repos that joined (they need a local full repack to drop their copies).
   */
  async sync(repos: readonly string[], networkOf: NetworkOf): Promise<string[]> {
    const current = new Map<string, string>();
    for (const dir of repos) {
      const p = this.currentPool(dir);
      if (p !== undefined) current.set(dir, p);
    }
    const groups = await networkOf(repos);
    const target = assignPools(groups, current, (g) => createHash('sha256').update(`pool\0${this.memberKey(g[0]!)}`).digest('hex').slice(0, 32));
    const joined: string[] = [];
    for (const dir of repos) {
      const cur = current.get(dir);
      const want = target.get(dir);
      if (cur === want) continue;
      try {
        if (cur !== undefined) await this.leave(dir, cur);
        if (want !== undefined) {
          await this.join(dir, want);
          joined.push(dir);
        }
      } catch (e) {
        this.#o.log.warn({ dir, from: cur, to: want, err: (e as Error).message }, 'object pool membership change failed');
      }
    }
    const members = new Map<string, string[]>();
    for (const [dir, pool] of target) members.set(pool, [...(members.get(pool) ?? []), dir]);
    for (const pool of this.list()) {
      const id = /([0-9a-f]{32}(?:-\d+)?)\.git$/.exec(pool)?.[1];
      if (id === undefined) continue;
      try {
        await this.refresh(id, members.get(id) ?? []);
      } catch (e) {
        this.#o.log.warn({ pool, err: (e as Error).message }, 'object pool refresh failed');
      }
    }
    return joined;
  }

  /** Fetches the heads and tags of each member into the pool and drops the refs of repos no longer members. */
  async refresh(id: string, memberDirs: readonly string[]): Promise<void> {
    const pool = this.poolDir(id);
    await this.#o.withRepoLock(pool, async () => {
      for (const dir of memberDirs) if (existsSync(join(dir, 'HEAD'))) await this.#fetchMember(pool, dir);
      const keep = new Set(memberDirs.filter((d) => existsSync(join(d, 'HEAD'))).map((d) => this.memberKey(d)));
      const stale = [...(await listRefs(pool)).keys()].filter((r) => !keep.has(/^refs\/members\/([0-9a-f]{32})\//.exec(r)?.[1] ?? ''));
      await updateRefs(pool, stale.map((ref) => ({ ref, new: ZERO_OID })));
    });
  }

  /** The pool first has the member's objects, then the member borrows from the pool. */
  async join(dir: string, id: string): Promise<void> {
    const pool = this.poolDir(id);
    await this.#o.withRepoLock(pool, async () => {
      if (!existsSync(join(pool, 'HEAD'))) {
        mkdirSync(this.#root, { recursive: true });
        await initBareRepo(pool);
      }
      await this.#fetchMember(pool, dir);
    });
    await this.#o.withRepoLock(dir, async () => {
      const line = relative(join(dir, 'objects'), join(pool, 'objects'));
      writeAtomic(join(dir, 'objects', 'info', 'alternates'), line + '\n');
    });
    this.#o.log.info({ dir, pool: id }, 'repo joined object pool');
  }

  /** Copies every object the repo reaches into its own packs, checks it is complete alone, then stops borrowing. */
  async leave(dir: string, id: string): Promise<void> {
    const alternates = join(dir, 'objects', 'info', 'alternates');
    await this.#o.withRepoLock(dir, async () => {
      const r = await runGit(['--git-dir', dir, 'repack', '-d', '-q', '--cruft', '--cruft-expiration=never', '--write-midx'], { timeoutMs: this.#o.timeoutMs });
      if (r.code !== 0) throw new Error(`repack before leaving the pool failed: ${r.stderr.trim()}`);
      const aside = `${alternates}.leaving`;
      renameSync(alternates, aside);
      const check = await runGit(['--git-dir', dir, 'fsck', '--connectivity-only', '--no-dangling', '--no-progress'], { timeoutMs: this.#o.timeoutMs });
      if (check.code !== 0) {
        renameSync(aside, alternates);
        throw new Error(`repo incomplete without its pool, stays a member: ${check.stderr.trim().split('\n')[0] ?? ''}`);
      }
      rmSync(aside, { force: true });
    });
    const pool = this.poolDir(id);
    if (existsSync(join(pool, 'HEAD'))) {
      const key = this.memberKey(dir);
      await this.#o.withRepoLock(pool, async () => {
        const refs = [...(await listRefs(pool)).keys()].filter((r) => r.startsWith(`refs/members/${key}/`));
        await updateRefs(pool, refs.map((ref) => ({ ref, new: ZERO_OID })));
      });
    }
    this.#o.log.info({ dir, pool: id }, 'repo left object pool');
  }

  async #fetchMember(pool: string, dir: string): Promise<void> {
    const key = this.memberKey(dir);
    const r = await runGit([
      '--git-dir', pool, '-c', 'protocol.file.allow=always', 'fetch', '--quiet', '--no-tags', '--prune', '--no-write-fetch-head', '--no-auto-gc', '--',
      dir, `+refs/heads/*:refs/members/${key}/heads/*`, `+refs/tags/*:refs/members/${key}/tags/*`,
    ], { timeoutMs: this.#o.timeoutMs });
    if (r.code !== 0) throw new Error(`pool fetch from member failed (${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
  }
}

function readAlternates(dir: string): string[] {
  try {
    return readFileSync(join(dir, 'objects', 'info', 'alternates'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  } catch {
    return [];
  }
}

function writeAtomic(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}
