// Ids of events admission refused recently (bounded, oldest forgotten first), by kind, so that a NIP-77
// local set can include the ones its filter could match without copying all of them.
import type { NostrFilter } from '../nostr/types.js';

interface Rejected { kind: number; createdAt: number }

export class RecentlyRejected {
  private readonly ids = new Map<string, Rejected>();
  private readonly byKind = new Map<number, Set<string>>();

  constructor(private readonly capacity = 50_000) {}

  add(id: string, createdAt: number, kind = -1): void {
    if (this.ids.has(id)) return;
    if (this.ids.size >= this.capacity) this.forget(this.ids.keys().next().value as string);
    this.ids.set(id, { kind, createdAt });
    let ids = this.byKind.get(kind);
    if (ids === undefined) this.byKind.set(kind, (ids = new Set()));
    ids.add(id);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Entries a filter could match by kind and time (tags are not known any more). */
  matching(filter: NostrFilter): Array<{ id: string; created_at: number }> {
    const kinds = filter.kinds ?? [...this.byKind.keys()];
    const out: Array<{ id: string; created_at: number }> = [];
    for (const kind of kinds) {
      for (const id of this.byKind.get(kind) ?? []) {
        const r = this.ids.get(id)!;
        if (filter.since !== undefined && r.createdAt < filter.since) continue;
        if (filter.until !== undefined && r.createdAt > filter.until) continue;
        if (filter.ids !== undefined && !filter.ids.includes(id)) continue;
        out.push({ id, created_at: r.createdAt });
      }
    }
    return out;
  }

  entries(): Array<{ id: string; created_at: number }> {
    return [...this.ids].map(([id, r]) => ({ id, created_at: r.createdAt }));
  }

  private forget(id: string): void {
    const r = this.ids.get(id);
    if (r === undefined) return;
    this.ids.delete(id);
    const ids = this.byKind.get(r.kind);
    ids?.delete(id);
    if (ids?.size === 0) this.byKind.delete(r.kind);
  }
}
