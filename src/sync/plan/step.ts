// The sync reducer: step(state, input, now, random) → commands (SYNC.md, whole page). The runner's
// single entry point: it feeds every observation in, executes the commands, and never decides.
// Mutates `state` in place (one owner, no copies of big indexes) and returns it for convenience.
import type { RelayNeeds, SyncCommand } from './types.js';
import { assertNever, emptyNeeds } from './types.js';
import type { RelayRuntime, SyncInput, SyncState } from './state.js';
import { newRelay, newSubId, snapshotOf } from './state.js';
import { applyAnnouncement, applyLocalEvents, removeRepo } from './repo-index.js';
import { deriveRelayTargets } from './targets.js';
import { computeActions, subtractNeeds, unionNeeds } from './diff.js';
import { asHistoric, historicLimit, itemFilters } from './filters.js';
import { backoffMs, canAttempt, isRateLimitMessage, isRateLimited, nextHealth, type HealthOutcome } from './health.js';
import { connectFilters, cursorAfterDisconnect, decideConnect } from './reconnect.js';
import { liveBudget } from './consolidation.js';
import { layoutAdd, layoutDisconnected, layoutHasChanges, layoutRemove, layoutReset, planLive } from './live-layout.js';
import { isDailyDue, nextDailyAt } from './daily.js';
import { checkRelays } from './disconnect-check.js';
import { normalizeRelayUrl } from './relay-url.js';
import { addBatch, catchUpPending, currentCursor, finishPart, onPage, pump, requeuePart } from './historic.js';

export interface StepResult {
  state: SyncState;
  commands: SyncCommand[];
}

export function step(s: SyncState, input: SyncInput, now: number, random: () => number): StepResult {
  const out: SyncCommand[] = [];
  const relay = (url: string): RelayRuntime | undefined => s.relays.get(url);
  if (input.type !== 'tick') s.changes++;
  if (input.type === 'localEvents' || input.type === 'purgatoryAnnouncement' || input.type === 'repoRemoved') s.indexVersion++;
  switch (input.type) {
    case 'start':
      s.started = true;
      for (const u of bootstrapUrls(s)) ensureRelay(s, u, true);
      reconcile(s, now, out);
      break;
    case 'restore':
      for (const snap of input.snapshots) {
        const r = ensureRelay(s, snap.url, bootstrapUrls(s).includes(snap.url));
        Object.assign(r, { repos: new Set(snap.repos), stateOnly: new Set(snap.stateOnly), rootEvents: new Set(snap.rootEvents) });
        Object.assign(r, { l1Confirmed: snap.l1Confirmed, cursor: snap.cursor, disconnectedAt: snap.cursor });
      }
      break;
    case 'localEvents':
      applyLocalEvents(s.repos, input.events, s.cfg.ownUrls);
      reconcile(s, now, out);
      break;
    case 'purgatoryAnnouncement':
      applyAnnouncement(s.repos, input.event, s.cfg.ownUrls, 'stateOnly');
      reconcile(s, now, out);
      break;
    case 'repoRemoved':
      removeRepo(s.repos, input.key);
      reconcile(s, now, out);
      break;
    case 'relayInfo': {
      const r = relay(input.relay);
      if (r === undefined) break;
      r.limits = input.limits;
      if (input.negentropy === false) r.negentropyOffUntil = now + s.cfg.negentropyRetryMs;
      break;
    }
    case 'connected': {
      const r = relay(input.relay);
      if (r !== undefined) onConnected(s, r, now, random, out);
      break;
    }
    case 'connectFailed': {
      const r = relay(input.relay);
      if (r === undefined) break;
      r.connection = 'disconnected';
      health(s, r, { type: 'failed' }, now, random);
      if (input.rateLimited === true) health(s, r, { type: 'rateLimited' }, now, random);
      break;
    }
    case 'disconnected': {
      const r = relay(input.relay);
      if (r !== undefined) onDisconnected(s, r, now, random, out);
      break;
    }
    case 'historicPage': {
      const r = relay(input.relay);
      if (r !== undefined) onPage(s, r, input.subId, input.events, now, out);
      break;
    }
    case 'negentropyDone': {
      const r = relay(input.relay);
      if (r !== undefined) finishPart(s, r, input.subId, false, now, out);
      break;
    }
    case 'negentropyFailed': {
      const r = relay(input.relay);
      if (r === undefined) break;
      if (input.unsupported) r.negentropyOffUntil = now + s.cfg.negentropyRetryMs;
      requeuePart(s, r, input.subId, 'req');
      pump(s, r, now, out);
      break;
    }
    case 'closed': {
      const r = relay(input.relay);
      if (r !== undefined) onClosed(s, r, input.subId, input.message, now, random, out);
      break;
    }
    case 'stalled': {
      const r = relay(input.relay);
      if (r !== undefined) finishPart(s, r, input.subId, true, now, out);
      break;
    }
    case 'notice': {
      const r = relay(input.relay);
      if (r !== undefined && isRateLimitMessage(input.message)) health(s, r, { type: 'rateLimited' }, now, random);
      break;
    }
    case 'tick':
      onTick(s, now, random, out);
      break;
    case 'resync': {
      const r = relay(input.relay);
      if (r !== undefined) onResync(s, r, now, out);
      break;
    }
    case 'shutdown':
      for (const r of s.relays.values()) {
        if (r.connection !== 'connected') continue;
        closeAllSubs(r, out);
        const cursor = currentCursor(s, r, now);
        if (cursor !== undefined) out.push({ type: 'persist', relay: r.url, snapshot: snapshotOf(r, cursor) });
        r.connection = 'closing';
        out.push({ type: 'disconnect', relay: r.url });
      }
      break;
    default:
      assertNever(input);
  }
  return { state: s, commands: out };
}

function bootstrapUrls(s: SyncState): string[] {
  return s.cfg.bootstrapRelays.map(normalizeRelayUrl).filter((u): u is string => u !== undefined);
}

function ensureRelay(s: SyncState, url: string, isBootstrap: boolean): RelayRuntime {
  let r = s.relays.get(url);
  if (r === undefined) s.relays.set(url, (r = newRelay(url, isBootstrap)));
  if (isBootstrap) r.isBootstrap = true;
  return r;
}

function health(s: SyncState, r: RelayRuntime, o: HealthOutcome, now: number, random: () => number): void {
  r.health = nextHealth(r.health, o, now, s.cfg.health, random);
}

function tryConnect(r: RelayRuntime, now: number, out: SyncCommand[]): void {
  if (r.connection !== 'disconnected' || !canAttempt(r.health, now)) return;
  r.connection = 'connecting';
  out.push({ type: 'connect', relay: r.url });
}

/** targets → diff → live filters + historic batches for connected relays (the single decision point). */
/** What every relay needs, derived from the index only when the index changed since the last time. */
function relayTargets(s: SyncState): Map<string, RelayNeeds> {
  if (s.targets?.version !== s.indexVersion) s.targets = { version: s.indexVersion, value: deriveRelayTargets(s.repos.repos, bootstrapUrls(s)) };
  return s.targets.value;
}

/**
 * Brings relays in line with the index. The per-item diff runs only when an input changed something (or a
 * rate limit ended): a quiet tick costs work per relay, not per repository (SYNC.md invariant: CPU
 * proportional to change).
 */
function reconcile(s: SyncState, now: number, out: SyncCommand[], unpaused = false): void {
  if (!s.started) return;
  if (s.changes === s.diffedAt && !unpaused) {
    for (const r of s.relays.values()) {
      syncLive(s, r, now, out);
      pump(s, r, now, out);
    }
    return;
  }
  s.diffedAt = s.changes;
  s.diffs++;
  const targets = relayTargets(s);
  for (const url of targets.keys()) tryConnect(ensureRelay(s, url, false), now, out);
  const { add, remove } = computeActions(targets, s.pending, s.relays);
  for (const [url, gone] of remove) {
    const r = s.relays.get(url)!;
    setConfirmed(r, subtractNeeds(r, gone));
    layoutRemove(r.layout, gone);
  }
  for (const [url, items] of add) {
    const r = s.relays.get(url)!;
    // not connected or cooling down: nothing is sent; the same diff yields these items again later
    if (r.connection !== 'connected') continue;
    if (isRateLimited(r.health, now)) {
      r.wasRateLimited = true; // the first tick after the cooldown diffs again
      continue;
    }
    addItems(s, r, items, now);
  }
  for (const r of s.relays.values()) {
    syncLive(s, r, now, out);
    pump(s, r, now, out);
  }
}

function setConfirmed(r: RelayRuntime, n: RelayNeeds): void {
  r.repos = n.repos;
  r.stateOnly = n.stateOnly;
  r.rootEvents = n.rootEvents;
}

/** New items: live coverage (sent with the next syncLive) and one historic batch. */
function addItems(s: SyncState, r: RelayRuntime, items: RelayNeeds, now: number): void {
  layoutAdd(r.layout, items);
  addBatch(s, r, 'items', items, itemFilters(items), now);
}

/**
 * Brings the relay's live subscriptions in line with its layout (SYNC.md "Consolidation"): only slots
 * that changed are sent; nothing while disconnected, rate-limited or backing off after a CLOSED.
 */
function syncLive(s: SyncState, r: RelayRuntime, now: number, out: SyncCommand[]): void {
  if (r.connection !== 'connected' || isRateLimited(r.health, now) || !layoutHasChanges(r.layout)) return;
  if (r.liveNotBefore !== undefined && now < r.liveNotBefore) return;
  const plan = planLive(r.layout, {
    budget: liveBudget(r.limits, s.cfg.consolidationThreshold, s.cfg.historicConcurrency),
    nowSec: Math.floor(now / 1000), overlapSec: s.cfg.consolidationOverlapSec, newSubId: () => newSubId(s, 'l'),
  });
  const opens: SyncCommand[] = plan.open.map((o) => ({ type: 'openLive', relay: r.url, subId: o.subId, filters: o.filters }));
  const closes: SyncCommand[] = plan.close.map((subId) => ({ type: 'closeSub', relay: r.url, subId }));
  out.push(...(plan.order === 'openFirst' ? [...opens, ...closes] : [...closes, ...opens]));
  if (plan.catchUp.length > 0) {
    addBatch(s, r, 'overlap', emptyNeeds(), asHistoric(plan.catchUp, { since: plan.catchUpSince, limit: historicLimit(r.limits, s.cfg.ourMaxLimit) }), now);
  }
}

function onConnected(s: SyncState, r: RelayRuntime, now: number, random: () => number, out: SyncCommand[]): void {
  health(s, r, { type: 'connected' }, now, random);
  r.connection = 'connected';
  r.lastConnectedAt = now;
  r.nextDailyAt ??= nextDailyAt(now, s.cfg.dailyMinMs, s.cfg.dailyMaxMs, random);
  r.liveClosures = 0;
  r.liveNotBefore = undefined;
  const plan = decideConnect(r, now, s.cfg.reconnect);
  if (plan.type === 'fresh') resetConfirmed(r);
  // live coverage of what is confirmed (quick reconnect) or nothing yet (fresh); the diff adds the rest
  layoutReset(r.layout, r);
  startSync(s, r, plan, now, out);
}

function startSync(s: SyncState, r: RelayRuntime, plan: ReturnType<typeof decideConnect>, now: number, out: SyncCommand[]): void {
  const f = connectFilters(plan, r, r.l1Confirmed, historicLimit(r.limits, s.cfg.ourMaxLimit));
  addBatch(s, r, 'layer1', emptyNeeds(), f.layer1, now);
  if (f.catchUp.length > 0) addBatch(s, r, 'catchUp', emptyNeeds(), f.catchUp, now);
  reconcile(s, now, out);
}

function resetConfirmed(r: RelayRuntime): void {
  setConfirmed(r, emptyNeeds());
  r.l1Confirmed = false;
  r.firstSyncDone = false;
  r.cursor = undefined;
}

function onDisconnected(s: SyncState, r: RelayRuntime, now: number, random: () => number, out: SyncCommand[]): void {
  const intentional = r.connection === 'closing';
  const everConfirmed = r.l1Confirmed || r.repos.size > 0 || r.rootEvents.size > 0;
  r.cursor = cursorAfterDisconnect(r.cursor, now, catchUpPending(s, r), everConfirmed);
  r.disconnectedAt = now;
  r.connection = 'disconnected';
  layoutDisconnected(r.layout);
  r.historic.clear();
  s.pending.delete(r.url); // their items return to the diff
  health(s, r, intentional ? { type: 'closed' } : { type: 'disconnected' }, now, random);
  if (r.cursor !== undefined) out.push({ type: 'persist', relay: r.url, snapshot: snapshotOf(r, r.cursor) });
}

function onClosed(s: SyncState, r: RelayRuntime, subId: string, message: string, now: number, random: () => number, out: SyncCommand[]): void {
  const limited = isRateLimitMessage(message);
  if (limited) health(s, r, { type: 'rateLimited' }, now, random);
  for (const [key, slot] of r.layout.slots) {
    if (slot.subId !== subId) continue;
    // the remote dropped a live filter: re-opened, but not before a backoff that grows per CLOSED
    r.layout.slots.delete(key);
    r.layout.reopen = true;
    r.layout.gapSince = Math.min(r.layout.gapSince ?? Infinity, Math.floor(now / 1000));
    r.liveClosures++;
    r.liveNotBefore = now + backoffMs(r.liveClosures, s.cfg.health, random);
    return;
  }
  const sub = r.historic.get(subId);
  if (sub === undefined) return;
  // rate-limited work is queued again, never dropped; other refusals retry the part with backoff
  if (limited) requeuePart(s, r, subId, sub.part.method);
  else finishPart(s, r, subId, true, now, out);
}

function closeAllSubs(r: RelayRuntime, out: SyncCommand[]): void {
  closeHistoric(r, out);
  for (const slot of r.layout.slots.values()) out.push({ type: 'closeSub', relay: r.url, subId: slot.subId });
  layoutDisconnected(r.layout);
}

function closeHistoric(r: RelayRuntime, out: SyncCommand[]): void {
  for (const subId of r.historic.keys()) out.push({ type: 'closeSub', relay: r.url, subId });
  r.historic.clear();
}

/**
 * Operator's resync: the relay's confirmed items and cursor are forgotten, so everything is fetched
 * again. Connected: a fresh historic sync on the open connection, live subscriptions kept (as the daily
 * reconciliation; a relay cooling down is closed instead). Otherwise the backoff is lifted (not a rate-limit cooldown) and the next
 * connection is a fresh one.
 */
function onResync(s: SyncState, r: RelayRuntime, now: number, out: SyncCommand[]): void {
  if (r.connection === 'connected' && !isRateLimited(r.health, now)) {
    // as the daily reconciliation: historic work restarts from nothing, live subscriptions stay open
    closeHistoric(r, out);
    s.pending.delete(r.url);
    const kept = { repos: r.repos, stateOnly: r.stateOnly, rootEvents: r.rootEvents };
    resetConfirmed(r);
    layoutReset(r.layout, kept);
    return startSync(s, r, { type: 'fresh', reason: 'neverSynced' }, now, out);
  }
  if (r.connection === 'connected') {
    // cooling down: nothing may be sent now; closed on purpose, the next connection is a fresh one
    closeAllSubs(r, out);
    s.pending.delete(r.url);
    resetConfirmed(r);
    r.connection = 'closing';
    out.push({ type: 'disconnect', relay: r.url });
    return;
  }
  resetConfirmed(r);
  s.pending.delete(r.url);
  const { nextAttemptAt: _lifted, ...rest } = r.health;
  r.health = isRateLimited(r.health, now) ? r.health : rest;
  reconcile(s, now, out);
  tryConnect(r, now, out);
}

function onTick(s: SyncState, now: number, random: () => number, out: SyncCommand[]): void {
  let unpaused = false;
  for (const r of s.relays.values()) {
    const limited = isRateLimited(r.health, now);
    if (r.wasRateLimited === true && !limited) unpaused = true;
    r.wasRateLimited = limited;
  }
  for (const r of s.relays.values()) {
    if (r.connection !== 'connected' || isRateLimited(r.health, now)) continue;
    if (isDailyDue(r.nextDailyAt, now)) {
      s.changes++;
      // daily reconciliation: a fresh historic sync on the open connection; live subscriptions stay
      // open (the layout keeps what the diff adds back, and re-sends only slots that changed)
      closeHistoric(r, out);
      s.pending.delete(r.url);
      const kept = { repos: r.repos, stateOnly: r.stateOnly, rootEvents: r.rootEvents };
      resetConfirmed(r);
      layoutReset(r.layout, kept);
      r.nextDailyAt = nextDailyAt(now, s.cfg.dailyMinMs, s.cfg.dailyMaxMs, random);
      startSync(s, r, { type: 'fresh', reason: 'windowExpired' }, now, out);
    }
  }
  const targets = relayTargets(s);
  const check = checkRelays(
    [...s.relays.values()].map((r) => ({
      url: r.url, connection: r.connection, isBootstrap: r.isBootstrap, targeted: targets.has(r.url),
      pendingBatches: s.pending.get(r.url)?.length ?? 0, inFirstSync: !r.firstSyncDone, health: r.health,
    })),
    now,
  );
  for (const url of check.close) {
    const r = s.relays.get(url)!;
    closeAllSubs(r, out);
    r.connection = 'closing';
    out.push({ type: 'disconnect', relay: url });
  }
  for (const url of check.retry) tryConnect(s.relays.get(url)!, now, out);
  for (const url of check.forget) {
    s.relays.delete(url);
    s.pending.delete(url);
    out.push({ type: 'forget', relay: url });
  }
  if (check.close.length + check.retry.length + check.forget.length > 0) s.changes++;
  reconcile(s, now, out, unpaused);
}
