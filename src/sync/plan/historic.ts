// Historic batches of one relay (SYNC.md "Live and historic"): queue parts, start them within the
// relay's budget (never while rate-limited), paginate REQ parts, fall back from NIP-77 to REQ, and
// confirm a batch's items only when every part completed. A part that stalls, is refused or comes back
// truncated is re-queued with backoff (never confirmed unseen); one paused by a rate limit resumes at the
// page where it stopped.
import type { NostrFilter } from '../../nostr/types.js';
import type { RelayNeeds, SyncCommand } from './types.js';
import type { PageEvent } from './pagination.js';
import type { Batch, HistoricPart, RelayRuntime, SyncState } from './state.js';
import { liveFilterCount, newSubId, snapshotOf } from './state.js';
import { effectiveLimits, historicLimit } from './filters.js';
import { backoffMs, isRateLimited } from './health.js';
import { decidePage, firstPage } from './pagination.js';
import { unionNeeds } from './diff.js';

export function addBatch(s: SyncState, r: RelayRuntime, purpose: Batch['purpose'], items: RelayNeeds, filters: NostrFilter[], now: number): Batch {
  const method = s.cfg.negentropy && (r.negentropyOffUntil === undefined || now >= r.negentropyOffUntil) ? 'negentropy' : 'req';
  const queue: HistoricPart[] = filters.map((f) => ({ filter: withoutLimit(f), method, attempts: 0 }));
  const b: Batch = { id: s.nextId++, relay: r.url, items, method, outstanding: new Set(), failed: false, purpose, queue };
  const list = s.pending.get(r.url) ?? [];
  list.push(b);
  s.pending.set(r.url, list);
  return b;
}

/** Starts queued parts while the relay's budget allows. */
export function pump(s: SyncState, r: RelayRuntime, now: number, out: SyncCommand[]): void {
  if (r.connection !== 'connected' || isRateLimited(r.health, now)) return;
  const lim = effectiveLimits(r.limits);
  const room = (): boolean =>
    r.historic.size < s.cfg.historicConcurrency &&
    r.layout.slots.size + r.historic.size < lim.maxSubscriptions &&
    liveFilterCount(r) + r.historic.size < s.cfg.consolidationThreshold;
  for (const b of [...(s.pending.get(r.url) ?? [])]) {
    for (let i = 0; i < b.queue.length && room(); ) {
      const part = b.queue[i]!;
      if (part.notBefore !== undefined && part.notBefore > now) i++;
      else startPart(s, r, b, b.queue.splice(i, 1)[0]!, out);
    }
    maybeComplete(s, r, b, now, out);
  }
}

function startPart(s: SyncState, r: RelayRuntime, b: Batch, part: HistoricPart, out: SyncCommand[]): void {
  const subId = newSubId(s, 'h');
  b.outstanding.add(subId);
  if (part.method === 'negentropy') {
    r.historic.set(subId, { batchId: b.id, part });
    out.push({ type: 'negentropy', relay: r.url, subId, batchId: b.id, filter: part.filter });
    return;
  }
  const cursor = part.cursor ?? firstPage(part.filter, historicLimit(r.limits, s.cfg.ourMaxLimit));
  r.historic.set(subId, { batchId: b.id, part, cursor });
  out.push({ type: 'openHistoric', relay: r.url, subId, batchId: b.id, filters: [cursor.filter] });
}

export function batchOf(s: SyncState, relay: string, id: number): Batch | undefined {
  return s.pending.get(relay)?.find((b) => b.id === id);
}

/** EOSE of a REQ part: next page or part done. */
export function onPage(s: SyncState, r: RelayRuntime, subId: string, events: readonly PageEvent[], now: number, out: SyncCommand[]): void {
  const sub = r.historic.get(subId);
  const b = sub && batchOf(s, r.url, sub.batchId);
  if (sub === undefined || sub.cursor === undefined || b === undefined) return;
  const d = decidePage(sub.cursor, events, r.limits, s.cfg.maxPages);
  r.historic.delete(subId);
  b.outstanding.delete(subId);
  if (d.type === 'next') {
    if (isRateLimited(r.health, now)) {
      // paused: the next page waits in the queue, and the part resumes there after the cooldown
      b.queue.unshift({ ...sub.part, cursor: d.cursor });
      return;
    }
    const next = newSubId(s, 'h');
    b.outstanding.add(next);
    r.historic.set(next, { batchId: b.id, part: sub.part, cursor: d.cursor });
    out.push({ type: 'openHistoric', relay: r.url, subId: next, batchId: b.id, filters: [d.cursor.filter] });
    return;
  }
  out.push({ type: 'handOver', relay: r.url });
  // truncated: not confirmed; a part that hit the page cap resumes below its last page, others start over
  if (d.truncated) retryLater(s, b, { ...sub.part, cursor: d.reason === 'maxPages' ? d.resume : undefined }, now);
  pump(s, r, now, out);
}

/** A part ended without pages: negentropy done, or failed (refused, stalled) — then retried with backoff. */
export function finishPart(s: SyncState, r: RelayRuntime, subId: string, failed: boolean, now: number, out: SyncCommand[]): void {
  const taken = takePart(s, r, subId);
  if (taken === undefined) return;
  const { sub, b } = taken;
  if (failed) retryLater(s, b, { ...sub.part, ...(sub.cursor !== undefined ? { cursor: sub.cursor } : {}) }, now);
  else out.push({ type: 'handOver', relay: r.url });
  pump(s, r, now, out);
}

/**
 * Put a part back at the front of its batch (NIP-77 fallback to REQ, or rate-limited CLOSED): a REQ part
 * resumes at the page that was refused, not at page 1.
 */
export function requeuePart(s: SyncState, r: RelayRuntime, subId: string, method: HistoricPart['method']): void {
  const taken = takePart(s, r, subId);
  if (taken === undefined) return;
  const { sub, b } = taken;
  const cursor = method === 'req' && sub.part.method === 'req' ? sub.cursor : undefined;
  b.queue.unshift({ filter: sub.part.filter, method, attempts: sub.part.attempts, ...(cursor !== undefined ? { cursor } : {}) });
  if (method === 'req') for (const p of b.queue) p.method = 'req';
}

/** Not confirmed: the part goes back to the queue and is started again after a growing backoff. */
function retryLater(s: SyncState, b: Batch, part: HistoricPart, now: number): void {
  const attempts = part.attempts + 1;
  const { cursor, ...rest } = part;
  b.queue.push({ ...rest, ...(cursor !== undefined ? { cursor } : {}), attempts, notBefore: now + backoffMs(attempts, s.cfg.health, () => 0) });
}

/** Removes a running part from its relay and its batch; undefined when either is already gone. */
function takePart(s: SyncState, r: RelayRuntime, subId: string): { sub: NonNullable<ReturnType<RelayRuntime['historic']['get']>>; b: Batch } | undefined {
  const sub = r.historic.get(subId);
  if (sub === undefined) return undefined;
  r.historic.delete(subId);
  const b = batchOf(s, r.url, sub.batchId);
  if (b === undefined) return undefined;
  b.outstanding.delete(subId);
  return { sub, b };
}

function maybeComplete(s: SyncState, r: RelayRuntime, b: Batch, now: number, out: SyncCommand[]): void {
  if (b.queue.length > 0 || b.outstanding.size > 0) return;
  const list = (s.pending.get(r.url) ?? []).filter((x) => x.id !== b.id);
  if (list.length === 0) s.pending.delete(r.url);
  else s.pending.set(r.url, list);
  if (b.purpose === 'items') {
    const u = unionNeeds(r, b.items);
    r.repos = u.repos;
    r.stateOnly = u.stateOnly;
    r.rootEvents = u.rootEvents;
  }
  if (b.purpose === 'layer1' && !b.failed) r.l1Confirmed = true;
  if (list.length === 0) r.firstSyncDone = true;
  const cursor = currentCursor(s, r, now);
  if (cursor !== undefined) out.push({ type: 'persist', relay: r.url, snapshot: snapshotOf(r, cursor) });
}

/** Live subs cover confirmed items up to now, unless a catch-up is still running. */
export function currentCursor(s: SyncState, r: RelayRuntime, now: number): number | undefined {
  return r.connection === 'connected' && !catchUpPending(s, r) ? now : r.cursor;
}

export function catchUpPending(s: SyncState, r: RelayRuntime): boolean {
  return (s.pending.get(r.url) ?? []).some((b) => b.purpose === 'catchUp' || (b.purpose === 'layer1' && r.l1Confirmed));
}

function withoutLimit(f: NostrFilter): NostrFilter {
  const { limit: _limit, ...rest } = f;
  return rest;
}
