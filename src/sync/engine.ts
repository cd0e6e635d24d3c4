// The sync runner (SYNC.md, whole page): owns the plan state, feeds every observation into `step`, and
// executes the commands it returns — sockets (io/remote.ts), persistence (io/state-file.ts) and the
// self-subscriber (io/self-subscriber.ts). Remote events go through the same ingest path as client events.
// It decides nothing itself: connect, page, retry, consolidate are all plan/step.ts.
import { join } from 'node:path';
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import type { EventStore } from '../store/types.js';
import type { Purgatory } from '../purgatory/types.js';
import type { Ingest } from '../relay/ingest.js';
import type { Relay } from '../relay/relay.js';
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import { KIND_REPO_ANNOUNCEMENT } from '../nostr/kinds.js';
import { matchFilter } from '../nostr/filter.js';
import type { SyncCommand } from './plan/types.js';
import { assertNever } from './plan/types.js';
import { initialState, type SyncInput, type SyncState } from './plan/state.js';
import { step } from './plan/step.js';
import { effectiveLimits, historicLimit } from './plan/filters.js';
import { repoKeyOf } from './plan/repo-index.js';
import { isRateLimited } from './plan/health.js';
import { syncConfigFrom } from './io/config.js';
import { Remote } from './io/remote.js';
import { SelfSubscriber, type SelfBatch } from './io/self-subscriber.js';
import { StateFile } from './io/state-file.js';
import { SyncObserver } from './io/observer.js';
import { forgetRelayMetrics, syncMetrics, trackState } from './io/metrics.js';
import { remoteGuards, type RemoteGuards } from './io/remote-guards.js';
import { RelayStats } from './io/relay-stats.js';
import { normalizeRelayUrl } from './plan/relay-url.js';

export interface SyncEngineDeps {
  config: Config;
  store: EventStore;
  purgatory: Purgatory;
  ingest: Ingest;
  relay: Relay;
  log: Logger;
  now?: () => number;
}

/** filters of 100 ids in one negentropy fetch REQ (fewer round trips, still one subscription) */
export const FETCH_FILTERS_PER_REQ = 4;
/** ids of remote events admitted recently (a copy from an overlapping filter skips verification) */
const RECENT_ADMITTED = 100_000;
/** on stop, how long pending cursor writes may wait for in-flight admissions */
const STOP_PERSIST_WAIT_MS = 1_000;

export class SyncEngine {
  readonly state: SyncState;
  private readonly conns = new Map<string, Remote>();
  private readonly inbox: SyncInput[] = [];
  private draining = false;
  private stopped = false;
  private tick: NodeJS.Timeout | undefined;
  private readonly self: SelfSubscriber;
  private readonly file: StateFile;
  private readonly observer: SyncObserver;
  private readonly untrack: () => void;
  private readonly now: () => number;
  private readonly guards: RemoteGuards;
  /** remote events being admitted, by id → whether admission succeeded */
  private readonly admitting = new Map<string, Promise<boolean>>();
  private readonly admitted = new Set<string>();
  /** cursor writes, in order, each after the admissions that preceded its command */
  private persisting: Promise<void> = Promise.resolve();
  /** NIP-77 bytes exchanged, summed over finished sessions (bench: reconciliation cost) */
  negentropyBytes = 0;
  /** per-relay traffic, last event and last error (status report) */
  readonly stats = new RelayStats();

  constructor(private readonly deps: SyncEngineDeps) {
    this.now = deps.now ?? Date.now;
    this.state = initialState(syncConfigFrom(deps.config));
    this.file = new StateFile(join(deps.config.dataDir, 'sync-state.json'));
    this.observer = new SyncObserver(deps.log.child({ component: 'sync' }));
    this.self = new SelfSubscriber(deps.relay, deps.ingest, deps.config.syncBatchWindowMs, (b) => this.onSelfBatch(b));
    this.untrack = trackState(() => this.state);
    this.guards = remoteGuards(deps.config, deps.log.child({ component: 'sync' }));
  }

  async start(): Promise<void> {
    // order matters (SYNC.md "Data model"): restored per-relay state, then the whole index (stored repos
    // and root events, announcements still in purgatory), and only then `start`, which diffs the two
    const snapshots = this.file.load();
    if (snapshots.length > 0) this.feed({ type: 'restore', snapshots });
    await this.self.start();
    for (const e of this.deps.purgatory.list(this.now(), { kinds: [KIND_REPO_ANNOUNCEMENT] })) this.feed({ type: 'purgatoryAnnouncement', event: e.event });
    this.feed({ type: 'start' });
    this.tick = setInterval(() => this.feed({ type: 'tick' }), this.deps.config.syncHealthIntervalMs);
    this.tick.unref();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.feed({ type: 'shutdown' });
    this.stopped = true;
    clearInterval(this.tick);
    this.self.stop();
    this.untrack();
    await Promise.race([this.persisting, new Promise((r) => setTimeout(r, STOP_PERSIST_WAIT_MS).unref())]);
    await this.file.flush().catch((err: unknown) => this.deps.log.warn({ err }, 'could not write sync state'));
    for (const r of this.conns.values()) r.abandon();
    this.conns.clear();
  }

  /** The one entry point of observations: serialised, each step's commands run before the next input. */
  feed(input: SyncInput): void {
    if (this.stopped) return;
    this.inbox.push(input);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.inbox.shift(); next !== undefined; next = this.inbox.shift()) {
        const now = this.now();
        this.stats.observe(next, now);
        const { commands } = step(this.state, next, now, Math.random);
        this.observer.after(this.state, next, commands, now);
        if (next.type === 'tick') this.stats.retain(this.state.relays);
        for (const c of commands) this.execute(c);
      }
    } catch (err) {
      this.deps.log.error({ err }, 'sync step failed');
    } finally {
      this.draining = false;
    }
  }

  private execute(c: SyncCommand): void {
    switch (c.type) {
      case 'connect': {
        this.conns.get(c.relay)?.abandon();
        const remote = this.newRemote(c.relay);
        this.conns.set(c.relay, remote);
        void remote.connect().catch((err: unknown) => {
          this.deps.log.warn({ err, relay: c.relay }, 'sync connect crashed');
          this.feedFrom(remote, { type: 'connectFailed', relay: c.relay });
        });
        return;
      }
      case 'disconnect': {
        const r = this.conns.get(c.relay);
        if (r === undefined) this.feed({ type: 'disconnected', relay: c.relay });
        else r.disconnect();
        return;
      }
      case 'openLive':
        return this.conns.get(c.relay)?.openLive(c.subId, c.filters);
      case 'openHistoric':
        return this.conns.get(c.relay)?.openHistoric(c.subId, c.filters);
      case 'negentropy':
        return this.conns.get(c.relay)?.negentropy(c.subId, c.filter);
      case 'closeSub':
        return this.conns.get(c.relay)?.closeSub(c.subId);
      case 'persist': {
        // historic pages are fed before their events are admitted: a cursor is durable only after them
        const idle = this.conns.get(c.relay)?.idle();
        const snapshot = c.snapshot;
        this.persisting = this.persisting.then(() => idle).then(() => this.file.put(snapshot));
        return;
      }
      case 'forget': {
        const snapshot = c.relay;
        this.persisting = this.persisting.then(() => this.file.remove(snapshot));
        void forgetRelayMetrics(c.relay);
        return;
      }
      case 'handOver': {
        const idle = this.conns.get(c.relay)?.idle() ?? Promise.resolve();
        void idle.then(() => this.self.flushNow());
        return;
      }
      default:
        assertNever(c);
    }
  }

  private feedFrom(remote: Remote, input: SyncInput): void {
    if (this.conns.get(remote.url) !== remote) return;
    if (input.type === 'disconnected' || input.type === 'connectFailed') this.conns.delete(remote.url);
    this.feed(input);
  }

  private newRemote(url: string): Remote {
    const cfg = this.deps.config;
    const remote: Remote = new Remote(
      url,
      {
        connectTimeoutMs: cfg.syncConnectTimeoutMs,
        pingIntervalMs: cfg.wsPingIntervalMs,
        allowPrivateAddresses: cfg.allowPrivateAddresses,
        negentropyTimeoutMs: cfg.syncNegentropyTimeoutMs,
        requestTimeoutMs: cfg.syncRequestTimeoutMs,
        fetchChunk: () => Math.min(100, historicLimit(this.state.relays.get(url)?.limits ?? {}, cfg.maxLimit)),
        fetchFilters: () => Math.min(FETCH_FILTERS_PER_REQ, effectiveLimits(this.state.relays.get(url)?.limits ?? {}).maxFilters),
        ...this.guards.options,
      },
      {
        feed: (input) => this.feedFrom(remote, input),
        ingest: (event, relay, subId) => this.admit(event, relay, subId),
        localSet: (filter) => this.localSet(filter),
        onSocketEvent: (relay, what, reason) => {
          if (what !== 'attempt') syncMetrics.connectionAttempts.inc({ result: what });
          if (reason !== undefined) {
            this.stats.error(relay, `connection ${what}: ${reason}`, this.now());
            this.deps.log.debug({ relay, reason }, 'sync connection attempt failed');
          }
        },
        countBytes: (relay, n, direction) => {
          syncMetrics.bytes.inc({ relay }, n);
          this.stats.bytes(relay, n, direction);
        },
        countNegentropyBytes: (relay, n) => {
          this.negentropyBytes += n;
          syncMetrics.negentropyBytes.inc({ relay }, n);
        },
        debug: (relay, msg) => this.deps.log.debug({ relay }, msg),
        ...this.guards.deps,
        paused: (relay) => {
          const r = this.state.relays.get(relay);
          return r !== undefined && isRateLimited(r.health, this.now());
        },
      },
    );
    return remote;
  }

  /**
   * Overlapping filters (`#e` and `#E` of one chunk, historic pages and live) deliver the same event
   * more than once; a copy of one admitted or being admitted is counted as a duplicate without
   * another signature check. A copy of one that failed is admitted on its own.
   */
  private async admit(event: unknown, relay: string, subId: string): Promise<void> {
    if (this.stopped) return;
    syncMetrics.events.inc({ relay, result: 'received' });
    this.stats.event(relay, this.now());
    this.observer.countEvent(subId);
    const id = typeof event === 'object' && event !== null && typeof (event as { id?: unknown }).id === 'string' ? (event as { id: string }).id : undefined;
    const prior = id === undefined ? undefined : this.admitting.get(id);
    // no await unless there is a prior copy: a copy arriving in the same tick must find this one's entry
    if (id !== undefined && (this.admitted.has(id) || (prior !== undefined && (await prior)))) {
      syncMetrics.events.inc({ relay, result: 'duplicate' });
      return;
    }
    const work = this.admitOnce(event, relay);
    if (id === undefined) return void (await work);
    this.admitting.set(id, work);
    const ok = await work;
    this.admitting.delete(id);
    if (!ok) return;
    if (this.admitted.size >= RECENT_ADMITTED) this.admitted.delete(this.admitted.values().next().value!);
    this.admitted.add(id);
  }

  private async admitOnce(event: unknown, relay: string): Promise<boolean> {
    try {
      const o = await this.deps.ingest.ingest(event, { source: 'sync', relay });
      const result = !o.ok ? 'rejected' : o.result === 'duplicate' || o.result === 'superseded' ? 'duplicate' : 'accepted';
      syncMetrics.events.inc({ relay, result });
      return o.ok;
    } catch (err) {
      syncMetrics.events.inc({ relay, result: 'rejected' });
      if (!this.stopped) this.deps.log.warn({ err, relay }, 'sync ingest failed');
      return false;
    }
  }

  /** NIP-77 local set: stored + purgatory + recently rejected (SYNC.md "Live and historic"). */
  private async localSet(filter: NostrFilter): Promise<Array<{ id: string; created_at: number }>> {
    const stored = await this.deps.store.idsForNegentropy([filter]);
    const held = this.deps.purgatory
      .list(this.now(), filter.kinds !== undefined ? { kinds: filter.kinds } : {})
      .filter((e) => matchFilter(filter, e.event))
      .map((e) => ({ id: e.event.id, created_at: e.event.created_at }));
    return [...stored, ...held, ...this.deps.ingest.recentlyRejected.matching(filter)];
  }

  /**
   * Operator's request (graspd resync): sync this relay afresh (plan/step.ts `resync`). The URL is
   * normalised as the plan stores it; a relay the plan does not track is unknown.
   */
  resync(url: string): 'started' | 'unknown-relay' {
    const key = normalizeRelayUrl(url);
    if (key === undefined || !this.state.relays.has(key)) return 'unknown-relay';
    this.deps.log.info({ relay: key }, 'sync: resync requested');
    this.feed({ type: 'resync', relay: key });
    return 'started';
  }

  /** Announcements that expired from purgatory stop being synced (state only) — SYNC.md "Data model". */
  purgatoryExpired(events: readonly NostrEvent[]): void {
    for (const e of events) {
      const key = repoKeyOf(e);
      if (key !== undefined && this.state.repos.repos.get(key)?.level === 'stateOnly') this.feed({ type: 'repoRemoved', key });
    }
  }

  private onSelfBatch(b: SelfBatch): void {
    if (b.served.length > 0) this.feed({ type: 'localEvents', events: b.served });
    for (const event of b.purgatoryAnnouncements) this.feed({ type: 'purgatoryAnnouncement', event });
    for (const key of b.removed) this.feed({ type: 'repoRemoved', key });
  }
}
