// GRASP.md "Git data sync": the running git-data hunter. Owns the scheduler and its timer, starts
// fetches (fetcher.ts) as the scheduler allows, hands landed data to the caller (onFetched: apply
// states, align repos, release purgatory, broadcast), and runs the periodic re-check of every
// hosted repo against its latest state. stop() aborts running fetches and removes quarantines.
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/load.js';
import { hasObjects } from '../git/git-cli.js';
import type { Logger } from '../log/logger.js';
import type { NostrEvent } from '../nostr/types.js';
import { dirBytes } from './fetch-git.js';
import { fetchAndPromote, QUARANTINE_PREFIX, quarantineRoot, type FetchOutcome } from './fetcher.js';
import { planHunt, planRecheck, wantedBy, type HuntItem, type RecheckTarget } from './hunter.js';
import { gitfetchMetrics } from './metrics.js';
import { FetchScheduler, type FetchJob, type FetchJobInput, type FetchRun, type SchedulerLimits } from './scheduler.js';
import { QuarantineBudget } from './quarantine-budget.js';
import { checkCloneUrl } from './url-safety.js';

export type GitFetchConfig = Pick<Config,
  'gitfetchDelayMs' | 'gitfetchUserDelayMs' | 'gitfetchTimeoutMs' | 'gitfetchMaxBytes' | 'gitfetchRecheckIntervalMs' | 'allowPrivateAddresses' | 'purgatoryExpiryMs' | 'maxRepoBytes'>
  & Partial<Pick<Config, 'gitfetchMaxConcurrent' | 'gitfetchMaxQuarantineBytes'>>;

/** A hosted repo and what the re-check needs to know about it. */
export interface RecheckRepo {
  ownerPubkey: string;
  d: string;
  /** latest authorised served state, if any */
  state?: NostrEvent;
  announcements: NostrEvent[];
}

export interface GitFetcherDeps {
  dataDir: string;
  config: GitFetchConfig;
  log: Logger;
  now?: () => number;
  /** target bare repo path of (owner, d) */
  repoDir(ownerPubkey: string, d: string): string;
  /** after oids landed in repoDir(job.ownerPubkey, job.d): re-apply states, release purgatory, broadcast */
  onFetched(job: FetchJob, got: string[]): Promise<void>;
  /** hosted repos for the periodic re-check (omit to disable it) */
  recheckRepos?(): Promise<RecheckRepo[]>;
  /** true for URLs of this very service */
  isOwnUrl?(url: string): boolean;
  limits?: Partial<SchedulerLimits>;
  /** scheduler tick (default 1000 ms) */
  tickMs?: number;
}

export interface LastFetchRun {
  at: number;
  url: string;
  outcome: string;
  /** git's error text or why the run failed (remote-controlled) */
  detail: string;
}

const LAST_RUNS_KEPT = 10_000;

export class GitFetcher {
  readonly #deps: GitFetcherDeps;
  readonly #sched: FetchScheduler;
  readonly #budget: QuarantineBudget;
  readonly #now: () => number;
  readonly #running = new Set<Promise<void>>();
  /** the last fetch run per repository (status report), oldest dropped beyond LAST_RUNS_KEPT */
  readonly #lastRuns = new Map<string, LastFetchRun>();
  #abort = new AbortController();
  #tick: NodeJS.Timeout | undefined;
  #recheck: NodeJS.Timeout | undefined;
  #started = false;

  constructor(deps: GitFetcherDeps) {
    this.#deps = deps;
    const c = deps.config;
    this.#sched = new FetchScheduler({ ...(c.gitfetchMaxConcurrent !== undefined ? { maxConcurrentTotal: c.gitfetchMaxConcurrent } : {}), ...deps.limits });
    this.#budget = new QuarantineBudget(c.gitfetchMaxQuarantineBytes ?? Number.POSITIVE_INFINITY);
    this.#now = deps.now ?? Date.now;
  }

  /** Queues (or merges) a job; URLs failing the static checks are dropped first. False when nothing usable remains. */
  request(job: FetchJobInput): boolean {
    const allowPrivate = this.#deps.config.allowPrivateAddresses;
    const urls: string[] = [];
    for (const u of job.urls) {
      if (this.#deps.isOwnUrl?.(u) ?? false) continue;
      const check = checkCloneUrl(u, { allowPrivate });
      if (check.ok) { urls.push(u); continue; }
      // a refusal by policy is a fetch that never happens: counted and logged like one
      gitfetchMetrics.fetches.inc({ outcome: 'refused' });
      this.#deps.log.info({ owner: job.ownerPubkey, d: job.d, url: u.slice(0, 200), reason: check.reason }, 'gitfetch clone url refused');
    }
    const r = this.#sched.request({ ...job, urls });
    gitfetchMetrics.queued.set(this.#sched.size);
    if (r !== 'ignored') this.#kick();
    return r !== 'ignored';
  }

  /** Plans and queues jobs for purgatory entries (states, PRs, PR updates); returns how many were queued. */
  hunt(items: readonly HuntItem[]): number {
    const c = this.#deps.config;
    const jobs = planHunt(items, { delayMs: c.gitfetchDelayMs, userDelayMs: c.gitfetchUserDelayMs, purgatoryExpiryMs: c.purgatoryExpiryMs, ...(this.#deps.isOwnUrl ? { isOwnUrl: this.#deps.isOwnUrl } : {}) });
    return jobs.filter((j) => this.request(j)).length;
  }

  /** Drops queued jobs serving an event (e.g. it was released by a push, deleted or superseded). */
  forget(eventId: string): number {
    return this.#sched.cancel((j) => j.eventIds.includes(eventId));
  }

  get pending(): number {
    return this.#sched.size;
  }

  jobs(): FetchJob[] {
    return this.#sched.jobs();
  }

  /** The last fetch attempted for a repository, if any since start. */
  lastRun(ownerPubkey: string, d: string): LastFetchRun | undefined {
    return this.#lastRuns.get(`${ownerPubkey}\0${d}`);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#abort = new AbortController();
    this.#removeQuarantines().catch(() => {});
    this.#tick = setInterval(() => this.#kick(), this.#deps.tickMs ?? 1000);
    this.#tick.unref();
    if (this.#deps.recheckRepos) {
      this.#recheck = setInterval(() => { this.recheckNow().catch((e) => this.#deps.log.warn({ err: String(e) }, 'gitfetch recheck failed')); }, this.#deps.config.gitfetchRecheckIntervalMs);
      this.#recheck.unref();
    }
  }

  async stop(): Promise<void> {
    this.#started = false;
    clearInterval(this.#tick);
    clearInterval(this.#recheck);
    this.#abort.abort();
    await Promise.allSettled([...this.#running]);
    await this.#removeQuarantines();
  }

  /** Resolves when no fetch is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Queues a job for every hosted repo missing objects of its latest state; returns how many. */
  async recheckNow(): Promise<number> {
    if (!this.#deps.recheckRepos) return 0;
    const targets: RecheckTarget[] = [];
    for (const r of await this.#deps.recheckRepos()) {
      if (!r.state) continue;
      const want = wantedBy(r.state)?.wantOids ?? [];
      if (want.length === 0) continue;
      let have: Set<string>;
      try {
        have = await hasObjects(this.#deps.repoDir(r.ownerPubkey, r.d), want);
      } catch {
        continue; // repo missing or unreadable: nothing to fetch into
      }
      const missingOids = want.filter((o) => !have.has(o));
      if (missingOids.length > 0) targets.push({ repo: { ownerPubkey: r.ownerPubkey, d: r.d }, state: r.state, announcements: r.announcements, missingOids });
    }
    const now = this.#now();
    return planRecheck(targets, now, this.#deps.config.gitfetchRecheckIntervalMs, this.#deps.isOwnUrl).filter((j) => this.request(j)).length;
  }

  /** Starts every run the scheduler allows now. */
  #kick(): void {
    if (!this.#started) return;
    const now = this.#now();
    for (const job of this.#sched.expire(now)) this.#deps.log.debug({ owner: job.ownerPubkey, d: job.d }, 'gitfetch job expired');
    // the running fetches fill the quarantine budget: nothing new starts until one ends
    const runs = this.#budget.full ? [] : this.#sched.nextRunnable(now);
    for (const run of runs) {
      const p = this.#run(run).finally(() => { this.#running.delete(p); });
      this.#running.add(p);
    }
    gitfetchMetrics.queued.set(this.#sched.size);
  }

  async #run(run: FetchRun): Promise<void> {
    const { job, url } = run;
    const c = this.#deps.config;
    let outcome: FetchOutcome;
    try {
      const target = this.#deps.repoDir(job.ownerPubkey, job.d);
      // a fetch may not make the repository larger than --max-repo-bytes (the same bound as a push)
      const room = c.maxRepoBytes - (await dirBytes(target));
      outcome = room <= 0
        ? { kind: 'failed', persistent: true, got: [], bytes: 0, detail: 'repository size limit reached (--max-repo-bytes)' }
        : await fetchAndPromote(job, url, target, {
          dataDir: this.#deps.dataDir, allowPrivate: c.allowPrivateAddresses, timeoutMs: c.gitfetchTimeoutMs, maxBytes: Math.min(c.gitfetchMaxBytes, room), signal: this.#abort.signal,
          budget: this.#budget,
        });
    } catch (e) {
      outcome = { kind: 'failed', persistent: false, got: [], bytes: 0, detail: String(e) };
    }
    gitfetchMetrics.fetches.inc({ outcome: outcome.kind });
    const runKey = `${job.ownerPubkey}\0${job.d}`;
    this.#lastRuns.delete(runKey);
    this.#lastRuns.set(runKey, { at: this.#now(), url, outcome: outcome.kind, detail: outcome.detail.slice(0, 300) });
    if (this.#lastRuns.size > LAST_RUNS_KEPT) this.#lastRuns.delete(this.#lastRuns.keys().next().value!);
    if (outcome.bytes > 0) gitfetchMetrics.bytes.inc(outcome.bytes);
    const log = outcome.kind === 'ok' || outcome.kind === 'partial' ? this.#deps.log.info.bind(this.#deps.log) : this.#deps.log.debug.bind(this.#deps.log);
    log({ owner: job.ownerPubkey, d: job.d, url, outcome: outcome.kind, bytes: outcome.bytes, detail: outcome.detail }, 'gitfetch');
    const wanted = new Set(job.wantOids);
    const landed = outcome.got.filter((o) => wanted.has(o));
    const result = this.#sched.complete(run, outcome, this.#now());
    if (result === 'expired') this.#deps.log.debug({ owner: job.ownerPubkey, d: job.d }, 'gitfetch job gave up');
    if (landed.length > 0 && (outcome.kind === 'ok' || outcome.kind === 'partial')) {
      try {
        await this.#deps.onFetched(job, landed);
      } catch (e) {
        this.#deps.log.warn({ err: String(e), owner: job.ownerPubkey, d: job.d }, 'gitfetch onFetched failed');
      }
    }
    this.#kick();
  }

  async #removeQuarantines(): Promise<void> {
    const root = quarantineRoot(this.#deps.dataDir);
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      return;
    }
    // only when idle: a running fetch owns its quarantine and removes it itself
    if (this.#running.size > 0) return;
    await Promise.all(names.filter((n) => n.startsWith(QUARANTINE_PREFIX)).map((n) => rm(join(root, n), { recursive: true, force: true })));
  }
}
