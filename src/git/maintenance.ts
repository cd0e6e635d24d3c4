// Background git maintenance (issue 11): after a push / fetch / alignment (debounced per repo) and on a
// slow periodic sweep, every hosted repo and object pool gets git's own tools — geometric repack with a
// multi-pack-index and bitmap, commit-graph, and once per grace period a full repack that moves
// unreachable objects to a cruft pack (expired after the grace period) plus `git prune`. Runs hold the
// repo lock (shared with pushes and alignments; clones never take it), run at idle CPU/I/O priority, and
// at most `concurrency` at a time. What to run is decided in maintenance-plan.ts; pools in object-pool.ts.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { REPO_CONFIG, runGit, runGitLowPriority } from './git-cli.js';
import { debounceDeadline, fullRepackDue, planSteps, stepArgs, type Role } from './maintenance-plan.js';
import { PoolManager, type NetworkOf } from './object-pool.js';
import { reposRoot } from './repo-paths.js';
import { publishStorageGauges, repoStorage, storageMetrics, type RepoStorage } from './storage-stats.js';

export interface MaintenanceOptions {
  dataDir: string;
  log: Logger;
  /** the per-repo lock of GitService (pushes and alignments take it too) */
  withRepoLock<T>(dir: string, fn: () => Promise<T>): Promise<T>;
  /** periodic sweep over every repo; 0 = no sweep */
  intervalMs: number;
  /** a changed repo is maintained this long after its first change */
  debounceMs: number;
  /** repos maintained at the same time; 0 = maintenance off */
  concurrency: number;
  /** unreachable objects younger than this are never dropped (already ≥ the purgatory expiry) */
  graceMs: number;
  /** timeout of one git command */
  timeoutMs: number;
  now?: () => number;
  /** which network each hosted repo belongs to (object pools); absent = no pools */
  networkOf?: NetworkOf;
}

export type Outcome = 'ok' | 'failed' | 'skipped';

interface Request { full: boolean; changed: boolean }

const STATE_FILE = 'graspd-maintenance.json';

export class GitMaintenance {
  readonly #o: MaintenanceOptions;
  readonly #now: () => number;
  readonly #armed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #pending = new Map<string, Request>();
  readonly #running = new Set<string>();
  readonly #stats = new Map<string, RepoStorage>();
  readonly #configured = new Set<string>();
  readonly #idle: Array<() => void> = [];
  readonly pools: PoolManager;
  #sweepTimer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;
  #stopped = false;

  constructor(o: MaintenanceOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.pools = new PoolManager({ dataDir: o.dataDir, log: o.log, withRepoLock: o.withRepoLock, timeoutMs: o.timeoutMs });
  }

  get enabled(): boolean {
    return this.#o.concurrency > 0 && !this.#stopped;
  }

  start(): void {
    if (!this.enabled || this.#o.intervalMs <= 0) return;
    const tick = (): void => { void this.sweep(); };
    // first sweep soon after start: it also brings the storage config of repos created by older versions up to date
    const first = setTimeout(tick, Math.min(5_000, this.#o.intervalMs));
    first.unref();
    this.#sweepTimer = setInterval(tick, this.#o.intervalMs);
    this.#sweepTimer.unref();
    this.#firstTimer = first;
  }

  #firstTimer: NodeJS.Timeout | undefined;

  /** Stops timers; resolves once no run is in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#firstTimer);
    clearInterval(this.#sweepTimer);
    for (const { timer } of this.#armed.values()) clearTimeout(timer);
    this.#armed.clear();
    this.#pending.clear();
    this.#notifyIdle();
    await this.idle();
    await this.#sweeping?.catch(() => {});
  }

  /** The repo changed (push, fetch, alignment): maintain it debounceMs after the first unmaintained change. */
  touch(dir: string): void {
    if (!this.enabled) return;
    const now = this.#now();
    const d = debounceDeadline(this.#armed.get(dir)?.at, now, this.#o.debounceMs);
    if (!d.arm) return;
    const timer = setTimeout(() => {
      this.#armed.delete(dir);
      this.#enqueue(dir, { full: false, changed: true });
    }, Math.max(0, d.deadline - now));
    timer.unref();
    this.#armed.set(dir, { at: now, timer });
  }

  /** Resolves when nothing is armed, queued or running. */
  idle(): Promise<void> {
    if (this.#armed.size === 0 && this.#pending.size === 0 && this.#running.size === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  /** Resolves when nothing is queued or running (debounce timers still armed do not count). */
  #drained(): Promise<void> {
    if (this.#pending.size === 0 && this.#running.size === 0) return Promise.resolve();
    return new Promise((r) => this.#drainWaiters.push(r));
  }

  readonly #drainWaiters: Array<() => void> = [];

  /** One sweep: config step, object pools, then every repo and pool queued (full repack when due). */
  sweep(): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    this.#sweeping ??= this.#sweepOnce().finally(() => { this.#sweeping = undefined; });
    return this.#sweeping;
  }

  async #sweepOnce(): Promise<void> {
    const repos = listRepos(reposRoot(this.#o.dataDir));
    for (const dir of repos) await this.ensureConfig(dir);
    if (this.#o.networkOf) {
      try {
        const changed = await this.pools.sync(repos, this.#o.networkOf);
        // a repo that just joined keeps duplicates of pool objects until a local full repack
        for (const dir of changed) this.#enqueue(dir, { full: true, changed: true });
      } catch (e) {
        this.#o.log.warn({ err: (e as Error).message }, 'object pool sync failed');
      }
    }
    const pools = this.pools.list();
    for (const dir of [...this.#stats.keys()]) if (!existsSync(join(dir, 'HEAD'))) this.#stats.delete(dir);
    for (const dir of [...pools, ...repos]) this.#enqueue(dir, { full: false, changed: false });
    await this.#drained();
    publishStorageGauges(this.#stats, pools.length);
  }

  /** Cheap and idempotent: the per-repo settings (packed pushes and fetches, no gc --auto) of repos made by older versions. */
  async ensureConfig(dir: string): Promise<void> {
    if (this.#configured.has(dir)) return;
    const r = await runGit(['--git-dir', dir, 'config', '--local', '--list']);
    if (r.code !== 0) return;
    const have = new Map(r.stdout.split('\n').map((l) => [l.slice(0, l.indexOf('=')).toLowerCase(), l.slice(l.indexOf('=') + 1)]));
    for (const [k, v] of REPO_CONFIG) {
      if (have.get(k.toLowerCase()) === v) continue;
      await this.#o.withRepoLock(dir, () => runGit(['--git-dir', dir, 'config', k, v]));
    }
    this.#configured.add(dir);
  }

  #enqueue(dir: string, req: Request): void {
    if (!this.enabled) return;
    const prev = this.#pending.get(dir);
    this.#pending.set(dir, { full: req.full || (prev?.full ?? false), changed: req.changed || (prev?.changed ?? false) });
    this.#pump();
  }

  #pump(): void {
    for (const [dir, req] of this.#pending) {
      if (this.#running.size >= this.#o.concurrency) break;
      if (this.#running.has(dir)) continue;
      this.#pending.delete(dir);
      this.#running.add(dir);
      void this.maintain(dir, req).finally(() => {
        this.#running.delete(dir);
        this.#pump();
        this.#notifyIdle();
      });
    }
    this.#notifyIdle();
  }

  #notifyIdle(): void {
    if (this.#pending.size > 0 || this.#running.size > 0) return;
    for (const r of this.#drainWaiters.splice(0)) r();
    if (this.#armed.size > 0) return;
    for (const r of this.#idle.splice(0)) r();
  }

  /** Maintains one repo or pool now, under its lock. `full` forces a full repack; otherwise it runs when due. */
  async maintain(dir: string, req: Partial<Request> = {}): Promise<Outcome> {
    const t0 = performance.now();
    let outcome: Outcome;
    try {
      outcome = await this.#o.withRepoLock(dir, () => this.#maintainLocked(dir, req));
    } catch (e) {
      this.#o.log.warn({ dir, err: (e as Error).message }, 'git maintenance failed');
      outcome = 'failed';
    }
    storageMetrics.runs.inc({ outcome });
    if (outcome !== 'skipped') storageMetrics.duration.observe((performance.now() - t0) / 1000);
    return outcome;
  }

  async #maintainLocked(dir: string, req: Partial<Request>): Promise<Outcome> {
    if (!existsSync(join(dir, 'HEAD'))) return 'skipped';
    const storage = await repoStorage(dir);
    const role: Role = this.pools.isPool(dir) ? 'pool' : storage.alternates.length > 0 ? 'member' : 'plain';
    const state = readState(dir);
    const now = this.#now();
    const full = req.full === true || fullRepackDue(state.lastFullAt, now, this.#o.graceMs);
    const steps = planSteps({ storage, role, full, changed: req.changed ?? false });
    if (steps.length === 0) {
      this.#stats.set(dir, storage);
      return 'skipped';
    }
    const expireAt = (now - this.#o.graceMs) / 1000;
    for (const step of steps) {
      const r = await runGitLowPriority(['--git-dir', dir, ...stepArgs(step, role, expireAt)], { timeoutMs: this.#o.timeoutMs });
      if (r.code !== 0) throw new Error(`git ${step} failed (${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
    }
    if (steps.includes('full')) writeState(dir, { lastFullAt: now });
    this.#stats.set(dir, await repoStorage(dir));
    this.#o.log.debug({ dir, role, steps }, 'git maintenance done');
    return 'ok';
  }
}

interface MaintenanceState { lastFullAt?: number }

function readState(dir: string): MaintenanceState {
  try {
    const v = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as unknown;
    if (typeof v === 'object' && v !== null && typeof (v as MaintenanceState).lastFullAt === 'number') return v as MaintenanceState;
  } catch { /* none yet */ }
  return {};
}

function writeState(dir: string, s: MaintenanceState): void {
  writeFileSync(join(dir, STATE_FILE), JSON.stringify(s) + '\n');
}

/** `<root>/<npub>/<name>.git` repo directories. */
export function listRepos(root: string): string[] {
  const out: string[] = [];
  const entries = (p: string): string[] => { try { return readdirSync(p); } catch { return []; } };
  for (const owner of entries(root)) {
    for (const name of entries(join(root, owner))) {
      const dir = join(root, owner, name);
      try {
        if (name.endsWith('.git') && statSync(dir).isDirectory() && existsSync(join(dir, 'HEAD'))) out.push(dir);
      } catch { /* removed meanwhile */ }
    }
  }
  return out;
}
