// GRASP.md "Git data sync" (GRASP-02, second half), the wiring: events that need git data this server
// lacks (states, PRs and PR updates in purgatory; a new announcement whose state exists) become fetch
// jobs of the GitFetcher; landed data re-applies states and releases purgatory (RepoLifecycle), which
// stores and broadcasts. Also: hunt on startup, periodic re-check of hosted repos, purgatory gauges.
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import type { NostrEvent } from '../nostr/types.js';
import { KIND_DELETION, KIND_PR, KIND_PR_UPDATE, KIND_REPO_ANNOUNCEMENT, KIND_REPO_STATE } from '../nostr/kinds.js';
import { identifierOf, parseAnnouncement, parsePullRequest, parseState } from '../nostr/nip34.js';
import { isHosted } from '../policy/archive.js';
import { hostingScope } from './hosting.js';
import { maintainerSet } from '../policy/maintainers.js';
import { candidateRepos } from '../policy/pull-request.js';
import type { PolicyWorld } from '../policy/types.js';
import type { Purgatory, PurgatoryEntry } from '../purgatory/types.js';
import type { Ingest } from '../relay/ingest.js';
import type { EventStore } from '../store/types.js';
import { GitFetcher, type RecheckRepo } from '../gitfetch/gitfetch.js';
import type { HuntItem } from '../gitfetch/hunter.js';
import { updatePurgatoryGauges } from '../gitfetch/metrics.js';
import type { FetchJob } from '../gitfetch/scheduler.js';
import { ownUrlMatcher, schedulerLimits, stateOwners, targetAnnouncements, tickMs } from './hunt-targets.js';
import type { RepoLifecycle } from './repo-lifecycle.js';

export interface GitSyncDeps {
  config: Config;
  store: EventStore;
  purgatory: Purgatory;
  ingest: Ingest;
  lifecycle: RepoLifecycle;
  world: PolicyWorld;
  log: Logger;
  now: () => number;
}

const ALL = 1_000_000;
/** The start-up re-check of every hosted repo waits this long (or the re-check interval, if shorter). */
const STARTUP_RECHECK_DELAY_MS = 30_000;
const NEEDS_DATA = new Set([KIND_REPO_STATE, KIND_PR, KIND_PR_UPDATE]);
const GAUGE_KINDS = new Set([KIND_REPO_ANNOUNCEMENT, KIND_REPO_STATE, KIND_PR, KIND_PR_UPDATE, KIND_DELETION]);

export class GitSync {
  readonly fetcher: GitFetcher;
  private startupRecheck: NodeJS.Timeout | undefined;

  constructor(private readonly deps: GitSyncDeps) {
    const { config, lifecycle } = deps;
    this.fetcher = new GitFetcher({
      dataDir: config.dataDir,
      config,
      log: deps.log.child({ component: 'gitfetch' }),
      now: deps.now,
      repoDir: (owner, d) => lifecycle.git.repoDir(owner, d),
      onFetched: (job) => this.onFetched(job),
      recheckRepos: () => this.recheckRepos(),
      isOwnUrl: ownUrlMatcher(config.domain),
      limits: schedulerLimits(config),
      tickMs: tickMs(config.gitfetchDelayMs),
    });
    // registered after RepoLifecycle.attach: the repo of a new announcement exists before we hunt into it
    deps.ingest.onAccepted(async (event, { served, ctx }) => {
      if (served) this.fetcher.forget(event.id);
      else if (NEEDS_DATA.has(event.kind)) {
        const entry = deps.purgatory.get(event.id);
        if (entry) await this.huntEntries([entry]);
      }
      if (event.kind === KIND_REPO_ANNOUNCEMENT) await this.onAnnouncement(event, ctx.source);
      if (GAUGE_KINDS.has(event.kind)) this.updateGauges();
    });
  }

  /** Starts the fetcher and queues jobs for everything already waiting in purgatory. */
  async start(): Promise<void> {
    this.fetcher.start();
    await this.huntEntries(this.deps.purgatory.list(this.deps.now()));
    this.updateGauges();
    // repos left behind by a crash or an outage catch up soon rather than at the first hourly re-check; not at
    // once: it spawns git per hosted repo and would compete with the start-up event sync for the main thread
    this.startupRecheck = setTimeout(() => {
      this.fetcher.recheckNow().catch((err: unknown) => this.deps.log.warn({ err: String(err) }, 'gitfetch startup recheck failed'));
    }, Math.min(STARTUP_RECHECK_DELAY_MS, this.deps.config.gitfetchRecheckIntervalMs));
    this.startupRecheck.unref();
  }

  /** Aborts running fetches; resolves once none runs (call before the store closes). */
  stop(): Promise<void> {
    clearTimeout(this.startupRecheck);
    return this.fetcher.stop();
  }

  /** Periodic: purgatory gauges, and jobs whose events all left (expired, deleted, superseded) are dropped. */
  async tidy(): Promise<void> {
    this.updateGauges();
    const { purgatory, store } = this.deps;
    for (const job of this.fetcher.jobs()) {
      let live = false;
      for (const id of job.eventIds) if (purgatory.has(id) || (await store.has(id))) { live = true; break; }
      if (!live) for (const id of job.eventIds) this.fetcher.forget(id);
    }
  }

  updateGauges(): void {
    const now = this.deps.now();
    updatePurgatoryGauges(this.deps.purgatory.summary(now), now);
  }

  /** Plans jobs for purgatory entries that need git data, into the first hosted repo they concern. */
  async huntEntries(entries: readonly PurgatoryEntry[]): Promise<number> {
    const items: HuntItem[] = [];
    for (const entry of entries) {
      const item = await this.huntItem(entry).catch((err: unknown) => {
        this.deps.log.warn({ err: String(err), id: entry.event.id }, 'gitfetch: planning a hunt failed');
        return undefined;
      });
      if (item) items.push(item);
    }
    return items.length > 0 ? this.fetcher.hunt(items) : 0;
  }

  private async huntItem(entry: PurgatoryEntry, only?: string): Promise<HuntItem | undefined> {
    const e = entry.event;
    const git = this.deps.lifecycle.git;
    let pairs: Array<{ owner: string; d: string }>;
    if (e.kind === KIND_REPO_STATE) {
      const d = identifierOf(e);
      pairs = stateOwners(e.pubkey, d, await this.deps.lifecycle.announcementsFor(d)).map((owner) => ({ owner, d }));
    } else if (e.kind === KIND_PR || e.kind === KIND_PR_UPDATE) {
      const pr = parsePullRequest(e);
      let repos = pr.repos;
      if (repos.length === 0 && pr.root) {
        const root = this.deps.purgatory.get(pr.root)?.event ?? (await this.deps.store.query([{ ids: [pr.root] }]))[0];
        repos = root ? parsePullRequest(root).repos : [];
      }
      pairs = await candidateRepos(this.deps.world, repos);
    } else return undefined;
    for (const { owner, d } of pairs) {
      if (only !== undefined && owner !== only) continue;
      if (!(await git.repoExists(owner, d))) continue;
      const anns = targetAnnouncements(owner, d, await this.deps.lifecycle.announcementsFor(d));
      return { entry, target: { ownerPubkey: owner, d }, announcements: anns };
    }
    return undefined;
  }

  /** A (new) announcement listing us: its repo follows the newest authorised state, fetching if needed. */
  private async onAnnouncement(event: NostrEvent, source: PurgatoryEntry['source']): Promise<void> {
    const ann = parseAnnouncement(event);
    const { lifecycle, purgatory, ingest } = this.deps;
    if (!isHosted(hostingScope(this.deps.config), ann) || !(await lifecycle.git.repoExists(ann.pubkey, ann.d))) return;
    const newest = (await lifecycle.authorisedStates(ann.pubkey, ann.d))[0];
    if (!newest) return;
    const held = purgatory.get(newest.id);
    if (held) {
      const item = await this.huntItem(held, ann.pubkey);
      if (item) this.fetcher.hunt([item]);
      return;
    }
    // served state: copy from another hosted repo when the data is here, else fetch it
    if (await lifecycle.git.applyState(newest)) {
      if (purgatory.has(event.id) && (await lifecycle.git.hasCommits(ann.pubkey, ann.d, [...parseState(newest).refs.values()]))) {
        await ingest.release(event.id);
      }
      return;
    }
    const item = await this.huntItem({ event: newest, addedAt: this.deps.now(), reason: 'repo lacks its state', source }, ann.pubkey);
    if (item) this.fetcher.hunt([item]);
  }

  /** Landed data: release what it satisfies (the release re-applies states) and re-apply the served state. */
  private async onFetched(job: FetchJob): Promise<void> {
    const { ownerPubkey: owner, d } = job;
    const { lifecycle, purgatory } = this.deps;
    const prRefs: Array<{ eventId: string; oid: string }> = [];
    let state: NostrEvent | undefined;
    for (const id of job.eventIds) {
      const e = purgatory.get(id)?.event;
      if (!e) continue;
      if (e.kind === KIND_PR || e.kind === KIND_PR_UPDATE) {
        const tip = parsePullRequest(e).commit;
        if (tip) prRefs.push({ eventId: id, oid: tip });
      } else if (e.kind === KIND_REPO_STATE && (!state || e.created_at > state.created_at)) {
        if (await lifecycle.git.hasCommits(owner, d, [...parseState(e).refs.values()])) state = e;
      }
    }
    lifecycle.git.noteFetched(owner, d);
    await lifecycle.onPushAccepted({ ownerPubkey: owner, d, ...(state ? { state } : {}), prRefs });
    const served = await this.latestServedState(owner, d);
    if (served && (await lifecycle.git.hasCommits(owner, d, [...parseState(served).refs.values()]))) await lifecycle.git.applyState(served);
    this.updateGauges();
  }

  private async latestServedState(owner: string, d: string): Promise<NostrEvent | undefined> {
    const set = maintainerSet(owner, d, await this.deps.lifecycle.announcementsFor(d));
    const states = await this.deps.store.query([{ kinds: [KIND_REPO_STATE], '#d': [d], authors: [...set] }], { maxLimit: ALL });
    return states.sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? -1 : 1))[0];
  }

  /** Every hosted repo with its latest served state and its maintainers' announcements. */
  private async recheckRepos(): Promise<RecheckRepo[]> {
    const { store, purgatory, lifecycle, config } = this.deps;
    const anns = [
      ...(await store.query([{ kinds: [KIND_REPO_ANNOUNCEMENT] }], { maxLimit: ALL })),
      ...purgatory.list(this.deps.now(), { kinds: [KIND_REPO_ANNOUNCEMENT] }).map((e) => e.event),
    ];
    const seen = new Set<string>();
    const scope = hostingScope(config);
    const out: RecheckRepo[] = [];
    for (const a of anns.map(parseAnnouncement)) {
      const key = `${a.pubkey}\0${a.d}`;
      if (seen.has(key) || !isHosted(scope, a)) continue;
      seen.add(key);
      if (!(await lifecycle.git.repoExists(a.pubkey, a.d))) continue;
      const state = await this.latestServedState(a.pubkey, a.d);
      const announcements = targetAnnouncements(a.pubkey, a.d, await lifecycle.announcementsFor(a.d));
      out.push({ ownerPubkey: a.pubkey, d: a.d, announcements, ...(state ? { state } : {}) });
    }
    return out;
  }
}
