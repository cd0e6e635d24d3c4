// The event-admission pipeline, one path for every source (client | sync | push):
// verify → limits → expiry/ephemeral → duplicate/deleted → GRASP policy → store or purgatory → broadcast.
// `OK true` is only answered after the store (or purgatory) commit is durable.
import type { NostrEvent } from '../nostr/types.js';
import { isEphemeral, KIND_DELETION } from '../nostr/kinds.js';
import type { EventStore } from '../store/types.js';
import type { Purgatory } from '../purgatory/types.js';
import type { EventVerifier } from '../nostr/verify-types.js';
import type { PolicyWorld, RejectEventHook } from '../policy/types.js';
import { purgatoryIdsDeletedBy } from '../policy/deletion.js';
import { addressFilter, addressOf, isNewer, purgatoryReplacement } from '../purgatory/supersede.js';
import { deletionTargets } from '../policy/deletion.js';
import { addressOfCoordinate } from '../policy/lookups.js';
import { HELD_WITH_REPOSITORY, taggedStatus } from '../policy/related.js';
import type { Admission, EventCtx, IngestOutcome } from './admission.js';
import type { SubscriptionIndex } from './subscriptions.js';
import { isExpired } from '../nostr/filter.js';
import { DependencyCache } from './dependency-cache.js';
import { RecentlyRejected } from './rejected-ids.js';
import { ingestMetrics } from './metrics.js';
import type { Logger } from '../log/logger.js';

export type Policy = (event: NostrEvent, ctx: EventCtx, world: PolicyWorld) => Promise<Admission>;

export interface AcceptedInfo {
  served: boolean;
  ctx: EventCtx;
  /** accepted by another instance sharing the database (its own git work is done there) */
  elsewhere?: boolean;
}
export type AcceptedListener = (event: NostrEvent, info: AcceptedInfo) => void | Promise<void>;

export interface IngestDeps {
  verifier: EventVerifier;
  store: EventStore;
  purgatory: Purgatory;
  policy: Policy;
  world: PolicyWorld;
  limits: RejectEventHook[];
  subscriptions: SubscriptionIndex;
  now: () => number;
  log: Logger;
}

const PURGATORY_MESSAGE = "purgatory: won't be served until git data arrives";

export class Ingest {
  readonly dependencyCache = new DependencyCache();
  readonly recentlyRejected = new RecentlyRejected();
  private readonly listeners: AcceptedListener[] = [];
  /** admissions running, by event id (concurrent duplicates wait for the first) */
  private readonly inflight = new Map<string, Promise<IngestOutcome>>();
  /** every ingest not yet finished, by arrival number, in arrival order */
  private readonly arrivals = new Map<number, Promise<void>>();
  private seq = 0;

  constructor(private readonly deps: IngestDeps) {}

  /** Called for every event accepted (served or into purgatory) and every release from purgatory. */
  onAccepted(listener: AcceptedListener): void {
    this.listeners.push(listener);
  }

  async ingest(input: unknown, ctx: EventCtx): Promise<IngestOutcome> {
    // the arrival number is taken before verification: workers finish in any order, admission must not
    const seq = ++this.seq;
    let finished!: () => void;
    this.arrivals.set(seq, new Promise<void>((resolve) => (finished = resolve)));
    try {
      return await this.verifyAndAdmit(input, ctx, seq);
    } finally {
      this.arrivals.delete(seq);
      finished();
    }
  }

  private async verifyAndAdmit(input: unknown, ctx: EventCtx, seq: number): Promise<IngestOutcome> {
    const verified = await this.deps.verifier.verify(input);
    if (!verified.ok) return this.count(ctx, { ok: false, message: verified.reason, result: 'invalid' });
    const event = input as NostrEvent;
    // dedupe concurrent arrivals of the same (verified) event; a bad signature never got this far
    const running = this.inflight.get(event.id);
    if (running) {
      const r = await running;
      return r.ok ? { ok: true, message: 'duplicate: already have this event', result: 'duplicate', event } : r;
    }
    const p = this.admit(event, ctx, seq).catch((err: unknown) => {
      this.deps.log.error({ err, id: event.id }, 'ingest failed');
      return { ok: false, message: 'error: could not store event', result: 'error' } as IngestOutcome;
    });
    this.inflight.set(event.id, p);
    try {
      return this.count(ctx, await p);
    } finally {
      this.inflight.delete(event.id);
    }
  }

  /**
   * Clients pipeline EVENTs (ngit sends an announcement and its state back to back; an issue is followed at
   * once by a comment) and admissions run concurrently. A refusal may only mean that an event which arrived
   * earlier (the announcement naming the author a maintainer, the issue being commented) is not admitted yet,
   * so a refused event is decided again once every event that arrived before it — verified or not — has
   * finished. Only earlier arrivals are awaited, so waits never form a cycle.
   */
  private async decide(event: NostrEvent, ctx: EventCtx, seq: number): Promise<Admission> {
    const first = await this.deps.policy(event, ctx, this.deps.world);
    if (first.type !== 'reject') return first;
    const earlier: Array<Promise<void>> = [];
    for (const [s, done] of this.arrivals) {
      if (s >= seq) break; // insertion order is arrival order
      earlier.push(done);
    }
    if (earlier.length === 0) return first;
    await Promise.all(earlier);
    return this.deps.policy(event, ctx, this.deps.world);
  }

  private async admit(event: NostrEvent, ctx: EventCtx, seq: number): Promise<IngestOutcome> {
    const { store, purgatory } = this.deps;
    const nowMs = this.deps.now();
    for (const hook of this.deps.limits) {
      const reason = hook(event, nowMs);
      if (reason) return { ok: false, message: reason, result: 'rejected', event };
    }
    if (isExpired(event, Math.floor(nowMs / 1000))) return { ok: false, message: 'invalid: event has expired', result: 'rejected', event };
    if (isEphemeral(event.kind)) {
      this.deps.subscriptions.broadcast(event, JSON.stringify(event));
      return { ok: true, message: '', result: 'ephemeral', event };
    }
    if (purgatory.has(event.id) || (await store.has(event.id))) {
      return { ok: true, message: 'duplicate: already have this event', result: 'duplicate', event };
    }
    if (await store.isDeleted(event)) return { ok: false, message: 'blocked: this event was deleted by its author', result: 'deleted', event };

    const admission = await this.decide(event, ctx, seq);
    switch (admission.type) {
      case 'reject':
        this.recentlyRejected.add(event.id, event.created_at, event.kind);
        if (admission.missingDependency && ctx.source === 'sync') this.dependencyCache.hold(event, ctx);
        return { ok: false, message: admission.reason, result: 'rejected', event };
      case 'purgatory': {
        // a replayed older version (signed does not mean current) is never held: it could authorise a rollback
        if (await this.newerVersionStored(event)) {
          return { ok: true, message: 'duplicate: a newer version of this event is stored', result: 'superseded', event };
        }
        const address = addressFilter(event) ? addressOf(event) : undefined;
        const held = address ? purgatory.lookup({ addresses: [address] }, nowMs).map((e) => e.event) : [];
        const { replaces, supersededBy } = purgatoryReplacement(held, event);
        if (supersededBy) return { ok: true, message: 'duplicate: a newer version of this event is held', result: 'superseded', event };
        await purgatory.add({ event, addedAt: nowMs, reason: admission.reason, source: ctx.source });
        for (const id of replaces) await purgatory.remove(id);
        this.deps.log.debug({ id: event.id, kind: event.kind, reason: admission.reason }, 'event held in purgatory');
        await this.notify(event, { served: false, ctx });
        return { ok: true, message: PURGATORY_MESSAGE, result: 'purgatory', event };
      }
      case 'store':
        return this.storeAndBroadcast(event, ctx);
    }
  }

  private async newerVersionStored(event: NostrEvent): Promise<boolean> {
    const filter = addressFilter(event);
    if (!filter) return false;
    const stored = await this.deps.store.query([{ ...filter, limit: 1 }]);
    return stored.some((s) => s.id !== event.id && isNewer(s, event));
  }

  private async storeAndBroadcast(event: NostrEvent, ctx: EventCtx): Promise<IngestOutcome> {
    const outcome = await this.deps.store.save(event);
    switch (outcome) {
      case 'duplicate':
        return { ok: true, message: 'duplicate: already have this event', result: 'duplicate', event };
      case 'superseded':
        return { ok: true, message: 'duplicate: a newer version of this event is stored', result: 'superseded', event };
      case 'deleted':
        return { ok: false, message: 'blocked: this event was deleted by its author', result: 'deleted', event };
      case 'saved':
      case 'replaced':
        break;
    }
    if (event.kind === KIND_DELETION) await this.removeDeletedFromPurgatory(event);
    this.deps.subscriptions.broadcast(event, JSON.stringify(event));
    await this.notify(event, { served: true, ctx });
    return { ok: true, message: '', result: 'stored', event };
  }

  /**
   * Another instance sharing the database accepted this event (stored, or held in purgatory): listeners that
   * follow accepted events (the sync engine's self-subscription, git data sync) learn of it here too, and
   * events waiting for it as a dependency are re-evaluated.
   */
  async acceptedElsewhere(event: NostrEvent, served: boolean): Promise<void> {
    await this.notify(event, { served, ctx: { source: 'sync' }, elsewhere: true });
  }

  /** Whether the event is held in purgatory (live). */
  isHeld(id: string): boolean {
    return this.deps.purgatory.has(id);
  }

  /** Moves a purgatory entry into the store and broadcasts it (called when its git data arrived). */
  async release(id: string): Promise<boolean> {
    const entry = this.deps.purgatory.get(id);
    if (!entry) return false;
    // store first, then drop from purgatory: a crash in between leaves a duplicate, never a loss
    const outcome = await this.deps.store.save(entry.event);
    await this.deps.purgatory.remove(id);
    if (outcome === 'saved' || outcome === 'replaced') {
      this.deps.subscriptions.broadcast(entry.event, JSON.stringify(entry.event));
      ingestMetrics.released.inc();
      this.deps.log.info({ id, kind: entry.event.kind }, 'released from purgatory');
      await this.notify(entry.event, { served: true, ctx: { source: entry.source } });
    }
    // what was held with it (issues on a repository, comments on those) is served now too
    for (const dep of this.deps.purgatory.lookup({ referencing: keysOf(entry.event) })) {
      if (dep.reason === HELD_WITH_REPOSITORY) await this.release(dep.event.id);
    }
    return true;
  }

  /**
   * Events held only because of `gone` (expired or deleted from purgatory) leave with them: each held event that
   * referenced one of them and now references nothing accepted is dropped, and so on down the thread.
   */
  async dropHeldWith(gone: readonly NostrEvent[]): Promise<number> {
    let dropped = 0;
    const queue = [...gone];
    while (queue.length > 0) {
      const g = queue.shift()!;
      for (const dep of this.deps.purgatory.lookup({ referencing: keysOf(g) })) {
        if (dep.reason !== HELD_WITH_REPOSITORY) continue;
        if ((await taggedStatus(dep.event, this.deps.world)) !== 'none') continue;
        if (await this.deps.purgatory.remove(dep.event.id)) {
          dropped++;
          queue.push(dep.event);
        }
      }
    }
    if (dropped > 0) this.deps.log.info({ dropped }, 'events held with expired or deleted repositories dropped');
    return dropped;
  }

  private async removeDeletedFromPurgatory(deletion: NostrEvent): Promise<void> {
    const { ids, coordinates } = deletionTargets(deletion);
    const held = this.deps.purgatory.lookup({ ids, addresses: coordinates.map(addressOfCoordinate) }).map((e) => e.event);
    const removed: NostrEvent[] = [];
    for (const id of purgatoryIdsDeletedBy(deletion, held)) {
      const entry = await this.deps.purgatory.remove(id);
      if (entry) removed.push(entry.event);
    }
    await this.dropHeldWith(removed);
  }

  private async notify(event: NostrEvent, info: AcceptedInfo): Promise<void> {
    for (const l of this.listeners) {
      try {
        await l(event, info);
      } catch (err) {
        this.deps.log.error({ err, id: event.id }, 'accepted-event listener failed');
      }
    }
    if (info.served || info.ctx.source !== 'client') {
      for (const waiting of this.dependencyCache.release(event)) {
        void this.ingest(waiting.event, waiting.ctx);
      }
    }
  }

  private count(ctx: EventCtx, outcome: IngestOutcome): IngestOutcome {
    ingestMetrics.events.inc({ source: ctx.source, result: outcome.result });
    return outcome;
  }
}

/** What references to `event` look like: its id, and its address for replaceable/addressable kinds. */
function keysOf(event: NostrEvent): string[] {
  const address = addressFilter(event) ? addressOf(event) : undefined;
  return address ? [event.id, address] : [event.id];
}
