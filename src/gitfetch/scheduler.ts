// GRASP.md "Git data sync": when and where the next git fetch runs. Pure, injected clock.
// Per clone host ≤ maxConcurrent in flight and ≤ maxPerMinute starts in a sliding minute; repos are
// served round-robin; a job tries its URLs in order, then backs off (doubling, capped) until it
// expires; a host failing persistently (DNS, TLS, protocol) is parked (sync-study.md §4.2–4.3, §9).
import { hostKey } from './url-safety.js';

export interface FetchJob {
  /** dedupe key: owner/d/refTarget/sorted oids (see jobKey) */
  key: string;
  ownerPubkey: string;
  d: string;
  /** oids still wanted (40 hex); shrinks as fetches land them */
  wantOids: string[];
  /** candidate clone URLs, in preference order */
  urls: string[];
  dueAt: number;
  attempts: number;
  expiresAt: number;
  /** for a PR / PR update: `refs/nostr/<event-id>` is set to wantOids[0] once present */
  refTarget?: string;
  /** events (purgatory ids) this job serves, for the caller's bookkeeping */
  eventIds: string[];
}

export type FetchJobInput = Omit<FetchJob, 'key' | 'attempts' | 'eventIds'> & { eventIds?: string[] };

export type OutcomeKind = 'ok' | 'partial' | 'missing' | 'not_found' | 'refused' | 'too_large' | 'timeout' | 'failed' | 'aborted' | 'over_budget';

export interface RunOutcome {
  kind: OutcomeKind;
  /** counts towards parking the host (DNS, TLS, connection refused, protocol errors) */
  persistent: boolean;
  /** wanted oids now present in the target repo */
  got: string[];
}

export interface FetchRun {
  job: FetchJob;
  url: string;
  host: string;
}

export interface SchedulerLimits {
  /** fetches in flight, all hosts together (wildcard subdomains make the per-host cap alone unbounded) */
  maxConcurrentTotal: number;
  maxConcurrentPerHost: number;
  maxPerMinutePerHost: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** consecutive persistent failures that park a host */
  parkAfterFailures: number;
  parkMs: number;
  parkMaxMs: number;
}

export const DEFAULT_LIMITS: SchedulerLimits = {
  maxConcurrentTotal: 8,
  maxConcurrentPerHost: 5,
  maxPerMinutePerHost: 60,
  backoffBaseMs: 20_000,
  backoffMaxMs: 120_000,
  parkAfterFailures: 3,
  parkMs: 10 * 60_000,
  parkMaxMs: 60 * 60_000,
};

const MINUTE = 60_000;

interface JobState {
  job: FetchJob;
  repo: string;
  running: boolean;
  /** URLs tried in the current round */
  tried: Set<string>;
}

interface HostState {
  inFlight: number;
  starts: number[];
  failures: number;
  parkedUntil: number;
  parkCount: number;
}

export function jobKey(ownerPubkey: string, d: string, wantOids: readonly string[], refTarget?: string): string {
  return `${ownerPubkey}\0${d}\0${refTarget ?? ''}\0${[...new Set(wantOids)].sort().join(',')}`;
}

export type CompleteResult = 'done' | 'next-url' | 'retry' | 'expired' | 'gone';

export class FetchScheduler {
  readonly #limits: SchedulerLimits;
  readonly #jobs = new Map<string, JobState>();
  readonly #hosts = new Map<string, HostState>();
  #cursor = 0;
  #inFlight = 0;

  constructor(limits: Partial<SchedulerLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get size(): number {
    return this.#jobs.size;
  }

  jobs(): FetchJob[] {
    return [...this.#jobs.values()].map((s) => s.job);
  }

  /** Adds a job, or merges into the identical one (URL union, earliest due, latest expiry, fresh attempts). */
  request(input: FetchJobInput): 'added' | 'merged' | 'ignored' {
    const wantOids = [...new Set(input.wantOids)];
    const urls = [...new Set(input.urls)].filter((u) => hostKey(u) !== undefined);
    if (wantOids.length === 0 || urls.length === 0 || input.expiresAt <= input.dueAt) return 'ignored';
    const key = jobKey(input.ownerPubkey, input.d, wantOids, input.refTarget);
    const existing = this.#jobs.get(key);
    if (existing) {
      const j = existing.job;
      j.urls = [...new Set([...j.urls, ...urls])];
      j.dueAt = Math.min(j.dueAt, input.dueAt);
      j.expiresAt = Math.max(j.expiresAt, input.expiresAt);
      j.attempts = 0;
      j.eventIds = [...new Set([...j.eventIds, ...(input.eventIds ?? [])])];
      return 'merged';
    }
    const job: FetchJob = {
      key, ownerPubkey: input.ownerPubkey, d: input.d, wantOids, urls, dueAt: input.dueAt, attempts: 0, expiresAt: input.expiresAt,
      eventIds: [...new Set(input.eventIds ?? [])], ...(input.refTarget ? { refTarget: input.refTarget } : {}),
    };
    this.#jobs.set(key, { job, repo: `${input.ownerPubkey}\0${input.d}`, running: false, tried: new Set() });
    return 'added';
  }

  /** Removes jobs (not running ones' runs: a running job is dropped when it completes). */
  cancel(pred: (job: FetchJob) => boolean): number {
    let n = 0;
    for (const [k, s] of this.#jobs) if (pred(s.job)) { this.#jobs.delete(k); n++; }
    return n;
  }

  /** Drops idle jobs whose expiry has passed and returns them. */
  expire(now: number): FetchJob[] {
    const out: FetchJob[] = [];
    for (const [k, s] of this.#jobs) {
      if (!s.running && now >= s.job.expiresAt) { this.#jobs.delete(k); out.push(s.job); }
    }
    return out;
  }

  isParked(host: string, now: number): boolean {
    return (this.#hosts.get(host)?.parkedUntil ?? 0) > now;
  }

  /** Starts what may start now: marks the runs in flight and counts them against their hosts. */
  nextRunnable(now: number): FetchRun[] {
    this.expire(now);
    const byRepo = new Map<string, JobState[]>();
    for (const s of this.#jobs.values()) {
      if (s.running || s.job.dueAt > now) continue;
      const list = byRepo.get(s.repo);
      if (list) list.push(s);
      else byRepo.set(s.repo, [s]);
    }
    const repos = [...byRepo.keys()].sort();
    if (repos.length === 0) return [];
    const start = this.#cursor % repos.length;
    const order = [...repos.slice(start), ...repos.slice(0, start)];
    const runs: FetchRun[] = [];
    let firstServed: number | undefined;
    for (let progress = true; progress;) {
      progress = false;
      for (let i = 0; i < order.length; i++) {
        const pending = byRepo.get(order[i]) ?? [];
        while (pending.length > 0) {
          const s = pending.shift()!;
          const run = this.#startOne(s, now);
          if (run) {
            runs.push(run);
            progress = true;
            firstServed ??= i;
            break; // one job per repo per pass: fairness
          }
        }
      }
    }
    if (firstServed !== undefined) this.#cursor = repos.indexOf(order[firstServed]) + 1;
    return runs;
  }

  /** Runs in flight over all hosts. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Host records that carry nothing any more (wildcard subdomains must not grow this map for good). */
  get hostsTracked(): number {
    return this.#hosts.size;
  }

  #startOne(s: JobState, now: number): FetchRun | undefined {
    if (this.inFlight >= this.#limits.maxConcurrentTotal) return undefined;
    const untried = s.job.urls.filter((u) => !s.tried.has(u));
    const usable = untried.filter((u) => !this.isParked(hostKey(u) ?? '', now));
    if (usable.length === 0) {
      this.#endRound(s, now);
      return undefined;
    }
    for (const url of usable) {
      const host = hostKey(url) ?? '';
      if (!this.#hasCapacity(host, now)) continue;
      const h = this.#host(host);
      h.inFlight++;
      this.#inFlight++;
      h.starts.push(now);
      s.running = true;
      return { job: s.job, url, host };
    }
    return undefined;
  }

  #hasCapacity(host: string, now: number): boolean {
    const h = this.#hosts.get(host);
    if (!h) return true;
    while (h.starts.length > 0 && h.starts[0] <= now - MINUTE) h.starts.shift();
    return h.inFlight < this.#limits.maxConcurrentPerHost && h.starts.length < this.#limits.maxPerMinutePerHost;
  }

  #host(host: string): HostState {
    let h = this.#hosts.get(host);
    if (!h) this.#hosts.set(host, (h = { inFlight: 0, starts: [], failures: 0, parkedUntil: 0, parkCount: 0 }));
    return h;
  }

  #endRound(s: JobState, now: number): CompleteResult {
    s.job.attempts++;
    s.tried.clear();
    const delay = Math.min(this.#limits.backoffBaseMs * 2 ** (s.job.attempts - 1), this.#limits.backoffMaxMs);
    s.job.dueAt = now + delay;
    if (s.job.dueAt >= s.job.expiresAt) {
      this.#jobs.delete(s.job.key);
      return 'expired';
    }
    return 'retry';
  }

  /** Records the end of a run: host health, landed oids, next URL or backoff. */
  complete(run: FetchRun, outcome: RunOutcome, now: number): CompleteResult {
    const h = this.#host(run.host);
    if (h.inFlight > 0) this.#inFlight--;
    h.inFlight = Math.max(0, h.inFlight - 1);
    if (outcome.persistent) {
      h.failures++;
      if (h.failures >= this.#limits.parkAfterFailures) {
        h.parkedUntil = now + Math.min(this.#limits.parkMs * 2 ** h.parkCount, this.#limits.parkMaxMs);
        h.parkCount++;
        h.failures = 0;
      }
    } else if (outcome.kind !== 'refused' && outcome.kind !== 'aborted' && outcome.kind !== 'over_budget') {
      h.failures = 0;
      if (outcome.kind === 'ok' || outcome.kind === 'partial' || outcome.kind === 'missing') h.parkCount = 0;
    }
    if (h.inFlight === 0 && h.failures === 0 && h.parkCount === 0 && h.parkedUntil <= now && h.starts.every((t) => t <= now - MINUTE)) this.#hosts.delete(run.host);
    const s = this.#jobs.get(run.job.key);
    if (!s || s.job !== run.job) return 'gone';
    s.running = false;
    const got = new Set(outcome.got);
    s.job.wantOids = s.job.wantOids.filter((o) => !got.has(o));
    if (s.job.wantOids.length === 0) {
      this.#jobs.delete(s.job.key);
      return 'done';
    }
    // refused by policy or too big: retrying the same URL cannot succeed (and would re-download up to the cap)
    if (outcome.kind === 'refused' || outcome.kind === 'too_large') s.job.urls = s.job.urls.filter((u) => u !== run.url);
    else s.tried.add(run.url);
    if (s.job.urls.length === 0) {
      this.#jobs.delete(s.job.key);
      return 'expired';
    }
    if (s.job.urls.some((u) => !s.tried.has(u))) {
      s.job.dueAt = now;
      return 'next-url';
    }
    return this.#endRound(s, now);
  }
}
