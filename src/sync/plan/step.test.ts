import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step } from './step.js';
import { initialState, type SyncConfig, type SyncInput, type SyncState } from './state.js';
import type { SyncCommand } from './types.js';
import { announcement, PK_A, repoKey, rootEvent, hexId } from './test-helpers.js';

const CFG: SyncConfig = {
  health: { backoffBaseMs: 5000, backoffMaxMs: 3_600_000, deadAfterMs: 86_400_000, rateLimitCooldownMs: 65_000, stabilityMs: 300_000, jitter: 0 },
  reconnect: { quickReconnectWindowMs: 900_000, catchUpBufferMs: 60_000 },
  consolidationThreshold: 70, dailyMinMs: 82_800_000, dailyMaxMs: 90_000_000, ourMaxLimit: 500, negentropy: false,
  negentropyRetryMs: 3_600_000, historicConcurrency: 4, consolidationOverlapSec: 60, maxPages: 100,
  ownUrls: ['ws://me.example'], bootstrapRelays: ['wss://boot.example/'],
};
const A = 'wss://a.example';
const R1 = repoKey(PK_A, 'r1');

function run(s: SyncState, input: SyncInput, now: number): SyncCommand[] {
  return step(s, input, now, () => 0).commands;
}
/** answers every open historic sub with an empty page until none is left */
function drain(s: SyncState, cmds: SyncCommand[], now: number): SyncCommand[] {
  const all: SyncCommand[] = [];
  let queue = cmds;
  while (queue.length > 0) {
    const next: SyncCommand[] = [];
    for (const c of queue) {
      all.push(c);
      if (c.type === 'openHistoric') next.push(...run(s, { type: 'historicPage', relay: c.relay, subId: c.subId, events: [] }, now));
    }
    queue = next;
  }
  return all;
}
const types = (cmds: SyncCommand[]): string[] => cmds.map((c) => c.type);

test('start connects to the bootstrap relay; connecting sends Layer 1 live and historic', () => {
  const s = initialState(CFG);
  assert.deepEqual(run(s, { type: 'start' }, 0), [{ type: 'connect', relay: 'wss://boot.example' }]);
  const cmds = run(s, { type: 'connected', relay: 'wss://boot.example' }, 10);
  assert.deepEqual(types(cmds), ['openLive', 'openHistoric']);
  assert.deepEqual(cmds[0]!.type === 'openLive' && cmds[0]!.filters, [{ kinds: [30617], limit: 0 }, { kinds: [5], limit: 0 }]);
  assert.deepEqual(cmds[1]!.type === 'openHistoric' && cmds[1]!.filters, [{ kinds: [30617], limit: 500 }]);
});

test('a discovered repo relay is connected, synced, confirmed, and steady state sends nothing', () => {
  const s = initialState({ ...CFG, bootstrapRelays: [] });
  s.started = true;
  const ev = [announcement(PK_A, 'r1', { relays: [A] }), rootEvent(5, 1621, [R1])];
  assert.deepEqual(run(s, { type: 'localEvents', events: ev }, 0), [{ type: 'connect', relay: A }]);
  const cmds = drain(s, run(s, { type: 'connected', relay: A }, 1000), 1000);
  const live = cmds.filter((c) => c.type === 'openLive').flatMap((c) => (c.type === 'openLive' ? c.filters : []));
  assert.equal(live.length, 2 + 7);
  assert.ok(live.every((f) => f.limit === 0));
  const r = s.relays.get(A)!;
  assert.deepEqual([...r.repos], [R1]);
  assert.deepEqual([...r.rootEvents], [hexId(5)]);
  assert.equal(s.pending.size, 0);
  assert.ok(cmds.some((c) => c.type === 'persist'));
  // the same events again, and ticks: no REQ
  assert.deepEqual(run(s, { type: 'localEvents', events: ev }, 2000), []);
  assert.deepEqual(run(s, { type: 'tick' }, 3000), []);
});

test('items pending are never sent twice while their batch runs', () => {
  const s = initialState({ ...CFG, bootstrapRelays: [] });
  s.started = true;
  run(s, { type: 'localEvents', events: [announcement(PK_A, 'r1', { relays: [A] })] }, 0);
  run(s, { type: 'connected', relay: A }, 1); // historic subs left unanswered
  assert.deepEqual(run(s, { type: 'localEvents', events: [announcement(PK_A, 'r1', { relays: [A] })] }, 2), []);
  const again = run(s, { type: 'localEvents', events: [rootEvent(9, 1617, [R1])] }, 3);
  const hist = again.filter((c) => c.type === 'openHistoric').flatMap((c) => (c.type === 'openHistoric' ? c.filters : []));
  assert.ok(hist.every((f) => f['#e'] || f['#E'] || f['#q']), 'only the new root event is fetched');
});

test('a quick reconnect catches up layers 1, 2 and 3 with since', () => {
  const s = initialState({ ...CFG, bootstrapRelays: [] });
  s.started = true;
  run(s, { type: 'localEvents', events: [announcement(PK_A, 'r1', { relays: [A] }), rootEvent(5, 1621, [R1])] }, 0);
  drain(s, run(s, { type: 'connected', relay: A }, 1000), 1000);
  run(s, { type: 'disconnected', relay: A }, 100_000);
  assert.deepEqual(run(s, { type: 'tick' }, 100_001), []); // backoff
  assert.deepEqual(run(s, { type: 'tick' }, 105_000), [{ type: 'connect', relay: A }]);
  const cmds = run(s, { type: 'connected', relay: A }, 106_000);
  const since = (100_000 - 60_000) / 1000;
  const hist = cmds.filter((c) => c.type === 'openHistoric').flatMap((c) => (c.type === 'openHistoric' ? c.filters : []));
  const queued = s.pending.get(A)!.flatMap((b) => b.queue.map((p) => p.filter));
  const all = [...hist, ...queued];
  assert.ok(all.some((f) => f.kinds?.[0] === 30617 && f.since === since), 'layer 1');
  assert.ok(all.some((f) => f['#a'] && f.since === since), 'layer 2');
  assert.ok(all.some((f) => f['#e'] && f.since === since), 'layer 3');
  assert.ok(hist.length <= CFG.historicConcurrency);
});

test('after a restart: restore, then the stored index, then start keeps what was confirmed; the catch-up uses since for every layer', () => {
  const before = initialState({ ...CFG, bootstrapRelays: [] });
  before.started = true;
  const events = [announcement(PK_A, 'r1', { relays: [A] }), rootEvent(5, 1621, [R1])];
  run(before, { type: 'localEvents', events }, 0);
  drain(before, run(before, { type: 'connected', relay: A }, 1000), 1000);
  const snap = { url: A, cursor: 100_000, repos: [...before.relays.get(A)!.repos], stateOnly: [], rootEvents: [...before.relays.get(A)!.rootEvents], l1Confirmed: true };
  assert.ok(snap.repos.length === 1 && snap.rootEvents.length === 1, 'confirmed before the restart');

  const s = initialState({ ...CFG, bootstrapRelays: [] });
  run(s, { type: 'restore', snapshots: [snap] }, 200_000);
  // the index arrives before start: nothing is decided yet, nothing is wiped
  assert.deepEqual(run(s, { type: 'localEvents', events }, 200_000), []);
  assert.equal(s.relays.get(A)!.repos.size, 1);
  assert.deepEqual(run(s, { type: 'start' }, 200_000), [{ type: 'connect', relay: A }]);
  assert.equal(s.relays.get(A)!.repos.size, 1, 'restored confirmations kept by start');
  const cmds = run(s, { type: 'connected', relay: A }, 201_000);
  const hist = cmds.filter((c) => c.type === 'openHistoric').flatMap((c) => (c.type === 'openHistoric' ? c.filters : []));
  const queued = s.pending.get(A)!.flatMap((b) => b.queue.map((p) => p.filter));
  const all = [...hist, ...queued];
  assert.ok(all.length > 0);
  const since = (100_000 - 60_000) / 1000;
  for (const f of all) assert.equal(f.since, since, `every historic filter has since: ${JSON.stringify(f)}`);
});

test('live filters per relay stay within the threshold however many repos arrive', () => {
  const s = initialState({ ...CFG, bootstrapRelays: [] });
  s.started = true;
  run(s, { type: 'localEvents', events: [announcement(PK_A, 'r0', { relays: [A] })] }, 0);
  let cmds = run(s, { type: 'connected', relay: A }, 1);
  const open = new Map<string, number>();
  const apply = (cs: SyncCommand[]): void => {
    for (const c of cs) {
      if (c.type === 'openLive') open.set(c.subId, c.filters.length);
      if (c.type === 'closeSub') open.delete(c.subId);
      if (c.type === 'openHistoric') open.set(c.subId, 1);
    }
  };
  apply(cmds);
  for (let i = 1; i < 300; i++) {
    cmds = run(s, { type: 'localEvents', events: [announcement(PK_A, `r${i}`, { relays: [A], at: 2000 + i }), rootEvent(10_000 + i, 1621, [repoKey(PK_A, `r${i}`)])] }, 10 + i);
    apply(cmds);
    for (const c of cmds) if (c.type === 'openHistoric') apply(run(s, { type: 'historicPage', relay: A, subId: c.subId, events: [] }, 10 + i)), open.delete(c.subId);
    const total = [...open.values()].reduce((a, b) => a + b, 0);
    assert.ok(total <= CFG.consolidationThreshold, `round ${i}: ${total} filters open`);
    assert.ok(open.size <= 20, `round ${i}: ${open.size} subs`);
  }
});

test('a rate-limited relay gets nothing new until the cooldown ends; the work is kept', () => {
  const s = initialState({ ...CFG, bootstrapRelays: [] });
  s.started = true;
  run(s, { type: 'localEvents', events: [announcement(PK_A, 'r1', { relays: [A] })] }, 0);
  drain(s, run(s, { type: 'connected', relay: A }, 1), 1);
  run(s, { type: 'notice', relay: A, message: 'slow down!' }, 10);
  assert.deepEqual(run(s, { type: 'localEvents', events: [rootEvent(3, 1621, [R1])] }, 20), []);
  const later = run(s, { type: 'tick' }, 10 + 65_000);
  assert.ok(later.some((c) => c.type === 'openLive' && c.filters.some((f) => f['#e'])));
});

test('a removed repo leaves confirmed state and an unlisted relay is closed', () => {
  const s = initialState({ ...CFG, bootstrapRelays: [] });
  s.started = true;
  run(s, { type: 'localEvents', events: [announcement(PK_A, 'r1', { relays: [A] })] }, 0);
  drain(s, run(s, { type: 'connected', relay: A }, 1), 1);
  run(s, { type: 'repoRemoved', key: R1 }, 2);
  assert.equal(s.relays.get(A)!.repos.size, 0);
  const cmds = run(s, { type: 'tick' }, 3);
  assert.ok(cmds.some((c) => c.type === 'disconnect' && c.relay === A));
  run(s, { type: 'disconnected', relay: A }, 4);
  const forget = run(s, { type: 'tick' }, 5);
  assert.equal(s.relays.has(A), false);
  assert.equal(s.repos.repos.has(R1), false, 'the index shrinks');
  assert.ok(forget.some((c) => c.type === 'forget' && c.relay === A), 'persisted state and metric series of the relay are dropped');
});

test('restored state of a relay nothing lists any more is forgotten at start', () => {
  const s = initialState({ ...CFG, bootstrapRelays: [] });
  run(s, { type: 'restore', snapshots: [{ url: A, cursor: 1000, repos: [R1], stateOnly: [], rootEvents: [], l1Confirmed: true }] }, 2000);
  run(s, { type: 'start' }, 2000);
  const cmds = run(s, { type: 'tick' }, 3000);
  assert.equal(s.relays.has(A), false);
  assert.ok(cmds.some((c) => c.type === 'forget' && c.relay === A));
});

test('negentropy failure falls back to REQ for the same filter', () => {
  const s = initialState({ ...CFG, negentropy: true });
  run(s, { type: 'start' }, 0);
  const cmds = run(s, { type: 'connected', relay: 'wss://boot.example' }, 1);
  const neg = cmds.find((c) => c.type === 'negentropy');
  assert.ok(neg && neg.type === 'negentropy');
  const fb = run(s, { type: 'negentropyFailed', relay: 'wss://boot.example', subId: neg.subId, unsupported: true }, 2);
  assert.deepEqual(types(fb), ['openHistoric']);
  assert.deepEqual(fb[0]!.type === 'openHistoric' && fb[0]!.filters, [{ kinds: [30617], limit: 500 }]);
});

test('resync of a connected relay: confirmed items forgotten, a fresh sync fetches every layer again', () => {
  const s = initialState({ ...CFG, bootstrapRelays: [] });
  s.started = true;
  run(s, { type: 'localEvents', events: [announcement(PK_A, 'r1', { relays: [A] }), rootEvent(5, 1621, [R1])] }, 0);
  drain(s, run(s, { type: 'connected', relay: A }, 1000), 1000);
  assert.deepEqual([...s.relays.get(A)!.repos], [R1]);
  const cmds = run(s, { type: 'resync', relay: A }, 2000);
  assert.ok(!cmds.some((c) => c.type === 'connect' || c.type === 'disconnect'), 'the open connection is reused');
  const all = drain(s, cmds, 2000);
  const hist = all.filter((c) => c.type === 'openHistoric').flatMap((c) => (c.type === 'openHistoric' ? c.filters : []));
  assert.ok(hist.some((f) => f.kinds?.[0] === 30617 && f.since === undefined), 'layer 1 from the beginning');
  assert.ok(hist.some((f) => f['#a']), 'the repo again');
  assert.ok(hist.some((f) => f['#e']), 'the root event again');
  assert.deepEqual([...s.relays.get(A)!.repos], [R1], 'confirmed again');
  assert.deepEqual(run(s, { type: 'resync', relay: 'wss://unknown.example' }, 3000), []);
});

test('resync of a relay in backoff lifts the backoff and connects now; the connection is fresh', () => {
  const s = initialState({ ...CFG, bootstrapRelays: [] });
  s.started = true;
  run(s, { type: 'localEvents', events: [announcement(PK_A, 'r1', { relays: [A] })] }, 0);
  drain(s, run(s, { type: 'connected', relay: A }, 1000), 1000);
  run(s, { type: 'disconnected', relay: A }, 100_000);
  assert.deepEqual(run(s, { type: 'tick' }, 100_001), [], 'backing off');
  assert.deepEqual(run(s, { type: 'resync', relay: A }, 100_002), [{ type: 'connect', relay: A }]);
  const cmds = run(s, { type: 'connected', relay: A }, 100_100);
  const hist = [...cmds.filter((c) => c.type === 'openHistoric').flatMap((c) => (c.type === 'openHistoric' ? c.filters : [])), ...s.pending.get(A)!.flatMap((b) => b.queue.map((p) => p.filter))];
  assert.ok(hist.length > 0 && hist.every((f) => f.since === undefined), 'no catch-up window: a fresh sync');
});

test('CPU proportional to change: a quiet tick does no per-item diff and derives no targets; one new event does one diff', () => {
  const s = initialState({ ...CFG, bootstrapRelays: [] });
  s.started = true;
  const anns = Array.from({ length: 2000 }, (_, i) => announcement(PK_A, `q${i}`, { relays: [A] }));
  run(s, { type: 'localEvents', events: anns }, 0);
  drain(s, run(s, { type: 'connected', relay: A }, 1), 1);
  for (let t = 2; t < 10; t++) drain(s, run(s, { type: 'tick' }, t * 1000), t * 1000);
  const diffs = s.diffs;
  const targets = s.targets;
  for (let t = 10; t < 20; t++) assert.deepEqual(run(s, { type: 'tick' }, t * 1000), []);
  assert.equal(s.diffs, diffs, 'quiet ticks ran no diff');
  assert.equal(s.targets, targets, 'targets not derived again');
  const cmds = run(s, { type: 'localEvents', events: [rootEvent(7, 1621, [repoKey(PK_A, 'q5')])] }, 21_000);
  assert.equal(s.diffs, diffs + 1);
  assert.ok(cmds.some((c) => c.type === 'openLive' || c.type === 'openHistoric'), 'the new root event is covered');
});
