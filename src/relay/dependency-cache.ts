// Events refused only because something they reference has not arrived yet (remote delivery order is
// arbitrary). An accepted event releases the entries waiting for its id or address. Partitioned by the
// relay an event came from (SYNC.md invariant 4): each source holds at most `perSource` entries (FIFO
// within it), and when the total cap is reached the largest partition gives up its oldest — so a relay
// flooding orphans evicts its own entries, never a quiet relay's.
import type { NostrEvent } from '../nostr/types.js';
import { KIND_REPO_ANNOUNCEMENT } from '../nostr/kinds.js';
import { identifierOf } from '../nostr/nip34.js';
import type { EventCtx } from './admission.js';

interface Waiting {
  event: NostrEvent;
  ctx: EventCtx;
  keys: string[];
  source: string;
}

export const DEPENDENCY_CACHE_PER_SOURCE = 2_000;
export const DEPENDENCY_CACHE_TOTAL = 10_000;

/** Keys an event may be waiting on: ids in e/E/q tags, coordinates in a/A/q tags, and `d:<d>` for states. */
export function dependencyKeys(event: NostrEvent): string[] {
  const keys = new Set<string>();
  for (const t of event.tags) {
    const v = t[1];
    if (!v) continue;
    if (t[0] === 'e' || t[0] === 'E' || t[0] === 'q' || t[0] === 'a' || t[0] === 'A') keys.add(v);
    if (t[0] === 'd') keys.add('d:' + v);
  }
  return [...keys];
}

/** Keys an accepted event satisfies. */
export function satisfiedKeys(event: NostrEvent): string[] {
  const keys = [event.id];
  if (event.kind === KIND_REPO_ANNOUNCEMENT) {
    const d = identifierOf(event);
    keys.push(`${KIND_REPO_ANNOUNCEMENT}:${event.pubkey}:${d}`, 'd:' + d);
  }
  return keys;
}

export class DependencyCache {
  private readonly byId = new Map<string, Waiting>();
  private readonly byKey = new Map<string, Set<string>>();
  /** held ids per source relay, oldest first */
  private readonly bySource = new Map<string, Set<string>>();

  constructor(private readonly capacity = DEPENDENCY_CACHE_TOTAL, private readonly perSource = Math.min(DEPENDENCY_CACHE_PER_SOURCE, capacity)) {}

  /** Entries held for one source relay. */
  heldFrom(source: string): number {
    return this.bySource.get(source)?.size ?? 0;
  }

  get size(): number {
    return this.byId.size;
  }

  hold(event: NostrEvent, ctx: EventCtx): void {
    if (this.byId.has(event.id)) return;
    const keys = dependencyKeys(event);
    if (keys.length === 0) return;
    const source = ctx.relay ?? '';
    const own = this.bySource.get(source);
    while (own !== undefined && own.size > 0 && own.size >= this.perSource) this.drop(own.values().next().value as string);
    while (this.byId.size > 0 && this.byId.size >= this.capacity) this.drop(this.largestPartition().values().next().value as string);
    let mine = this.bySource.get(source);
    if (mine === undefined) this.bySource.set(source, (mine = new Set()));
    mine.add(event.id);
    this.byId.set(event.id, { event, ctx, keys, source });
    for (const k of keys) {
      let s = this.byKey.get(k);
      if (!s) this.byKey.set(k, (s = new Set()));
      s.add(event.id);
    }
  }

  /** Removes and returns the events waiting on anything `accepted` satisfies. */
  release(accepted: NostrEvent): Array<{ event: NostrEvent; ctx: EventCtx }> {
    const out: Array<{ event: NostrEvent; ctx: EventCtx }> = [];
    for (const key of satisfiedKeys(accepted)) {
      const ids = this.byKey.get(key);
      if (!ids) continue;
      for (const id of [...ids]) {
        const w = this.byId.get(id);
        if (w) out.push({ event: w.event, ctx: w.ctx });
        this.drop(id);
      }
    }
    return out;
  }

  private largestPartition(): Set<string> {
    let largest: Set<string> | undefined;
    for (const s of this.bySource.values()) if (largest === undefined || s.size > largest.size) largest = s;
    return largest!;
  }

  private drop(id: string): void {
    const w = this.byId.get(id);
    if (!w) return;
    this.byId.delete(id);
    const part = this.bySource.get(w.source);
    part?.delete(id);
    if (part?.size === 0) this.bySource.delete(w.source);
    for (const k of w.keys) {
      const s = this.byKey.get(k);
      s?.delete(id);
      if (s && s.size === 0) this.byKey.delete(k);
    }
  }
}
