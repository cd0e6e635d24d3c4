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
import { matchFilter } from '../nostr/filter.js';
import type { SyncCommand } from './plan/types.js';
import { assertNever } from './plan/types.js';
import { initialState, type SyncInput, type SyncState } from './plan/state.js';
import { step } from './plan/step.js';
import { historicLimit } from './plan/filters.js';
import { repoKeyOf } from './plan/repo-index.js';
import { syncConfigFrom } from './io/config.js';
import { Remote } from './io/remote.js';
import { SelfSubscriber, type SelfBatch } from './io/self-subscriber.js';
import { StateFile } from './io/state-file.js';
import { SyncObserver } from './io/observer.js';
import { syncMetrics, trackState } from './io/metrics.js';

export interface SyncEngineDeps {
  config: Config;
  store: EventStore;
  purgatory: Purgatory;
  ingest: Ingest;
  relay: Relay;
  log: Logger;
  now?: () => number;
}

export const NEGENTROPY_TIMEOUT_MS = 10_000;

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
  /** NIP-77 bytes exchanged, summed over finished sessions (bench: reconciliation cost) */
  negentropyBytes = 0;

  constructor(private readonly deps: SyncEngineDeps) {
    this.now = deps.now ?? Date.now;
    this.state = initialState(syncConfigFrom(deps.config));
    this.file = new StateFile(join(deps.config.dataDir, 'sync-state.json'));
    this.observer = new SyncObserver(deps.log.child({ component: 'sync' }));
    this.self = new SelfSubscriber(deps.relay, deps.ingest, deps.config.syncBatchWindowMs, (b) => this.onSelfBatch(b));
    this.untrack = trackState(() => this.state);
  }

  async start(): Promise<void> {
    const snapshots = this.file.load();
    if (snapshots.length > 0) this.feed({ type: 'restore', snapshots });
    this.feed({ type: 'start' });
    this.tick = setInterval(() => this.feed({ type: 'tick' }), this.deps.config.syncHealthIntervalMs);
    this.tick.unref();
    await this.self.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.feed({ type: 'shutdown' });
    this.stopped = true;
    clearInterval(this.tick);
    this.self.stop();
    this.untrack();
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
        const { commands } = step(this.state, next, now, Math.random);
        this.observer.after(this.state, next, commands, now);
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
      case 'persist':
        return this.file.put(c.snapshot);
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
        negentropyTimeoutMs: NEGENTROPY_TIMEOUT_MS,
        fetchChunk: () => Math.min(100, historicLimit(this.state.relays.get(url)?.limits ?? {}, cfg.maxLimit)),
      },
      {
        feed: (input) => {
          if (input.type === 'negentropyDone' || input.type === 'negentropyFailed') this.negentropyBytes += remote.negentropyBytes(input.subId);
          this.feedFrom(remote, input);
        },
        ingest: (event, relay, subId) => this.admit(event, relay, subId),
        localSet: (filter) => this.localSet(filter),
        onSocketEvent: (relay, what, reason) => {
          if (what !== 'attempt') syncMetrics.connectionAttempts.inc({ result: what });
          if (reason !== undefined) this.deps.log.debug({ relay, reason }, 'sync connection attempt failed');
        },
        countBytes: (relay, n) => syncMetrics.bytes.inc({ relay }, n),
        debug: (relay, msg) => this.deps.log.debug({ relay }, msg),
      },
    );
    return remote;
  }

  private async admit(event: unknown, relay: string, subId: string): Promise<void> {
    if (this.stopped) return;
    syncMetrics.events.inc({ relay, result: 'received' });
    this.observer.countEvent(subId);
    try {
      const o = await this.deps.ingest.ingest(event, { source: 'sync', relay });
      const result = !o.ok ? 'rejected' : o.result === 'duplicate' || o.result === 'superseded' ? 'duplicate' : 'accepted';
      syncMetrics.events.inc({ relay, result });
    } catch (err) {
      syncMetrics.events.inc({ relay, result: 'rejected' });
      if (!this.stopped) this.deps.log.warn({ err, relay }, 'sync ingest failed');
    }
  }

  /** NIP-77 local set: stored + purgatory + recently rejected (SYNC.md "Live and historic"). */
  private async localSet(filter: NostrFilter): Promise<Array<{ id: string; created_at: number }>> {
    const stored = await this.deps.store.idsForNegentropy([filter]);
    const held = this.deps.purgatory
      .list(this.now())
      .filter((e) => matchFilter(filter, e.event))
      .map((e) => ({ id: e.event.id, created_at: e.event.created_at }));
    return [...stored, ...held, ...this.deps.ingest.recentlyRejected.entries()];
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
