// computeActions: the single decision point, target − pending − confirmed = new (SYNC.md step 3).
// Nothing already pending or confirmed on a relay is ever sent again. A repo pending/confirmed only at
// 'stateOnly' does not cover a 'full' target (the promotion must add its a/A/q filters). Items
// confirmed on a relay that no longer targets them are reported as removals.
import type { RelayNeeds, RepoKey, SyncLevel } from './types.js';
import { emptyNeeds, isEmptyNeeds } from './types.js';

export interface Actions {
  /** per relay, the items to start syncing now (live filters + one historic batch) */
  add: Map<string, RelayNeeds>;
  /** per relay, confirmed items no target wants any more */
  remove: Map<string, RelayNeeds>;
}

export function covers(items: RelayNeeds, repo: RepoKey, level: SyncLevel): boolean {
  return items.repos.has(repo) && (level === 'stateOnly' || !items.stateOnly.has(repo));
}

export function computeActions(
  targets: ReadonlyMap<string, RelayNeeds>,
  pending: ReadonlyMap<string, readonly { items: RelayNeeds }[]>,
  confirmed: ReadonlyMap<string, RelayNeeds>,
): Actions {
  const add = new Map<string, RelayNeeds>();
  for (const [url, target] of targets) {
    const have = [...(pending.get(url) ?? []).map((b) => b.items), ...(confirmed.has(url) ? [confirmed.get(url)!] : [])];
    const n = newItems(target, have);
    if (!isEmptyNeeds(n)) add.set(url, n);
  }
  const remove = new Map<string, RelayNeeds>();
  for (const [url, conf] of confirmed) {
    const r = subtractNeeds(conf, targets.get(url) ?? emptyNeeds());
    if (!isEmptyNeeds(r)) remove.set(url, r);
  }
  return { add, remove };
}

export function newItems(target: RelayNeeds, have: readonly RelayNeeds[]): RelayNeeds {
  const out = emptyNeeds();
  for (const repo of target.repos) {
    const level: SyncLevel = target.stateOnly.has(repo) ? 'stateOnly' : 'full';
    if (have.some((h) => covers(h, repo, level))) continue;
    out.repos.add(repo);
    if (level === 'stateOnly') out.stateOnly.add(repo);
  }
  for (const id of target.rootEvents) if (!have.some((h) => h.rootEvents.has(id))) out.rootEvents.add(id);
  return out;
}

/** a ∪ b; a repo is stateOnly in the union only if no side has it at 'full'. */
export function unionNeeds(a: RelayNeeds, b: RelayNeeds): RelayNeeds {
  const out = emptyNeeds();
  for (const side of [a, b]) {
    for (const r of side.repos) out.repos.add(r);
    for (const id of side.rootEvents) out.rootEvents.add(id);
  }
  for (const r of out.repos) if (!covers(a, r, 'full') && !covers(b, r, 'full')) out.stateOnly.add(r);
  return out;
}

/** a − b (items of b removed from a). */
export function subtractNeeds(a: RelayNeeds, b: RelayNeeds): RelayNeeds {
  const out = emptyNeeds();
  for (const r of a.repos) {
    if (b.repos.has(r)) continue;
    out.repos.add(r);
    if (a.stateOnly.has(r)) out.stateOnly.add(r);
  }
  for (const id of a.rootEvents) if (!b.rootEvents.has(id)) out.rootEvents.add(id);
  return out;
}
