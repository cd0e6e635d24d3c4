// Serving side of the moderation lists: an EventStore view that leaves out events of blacklisted authors and
// repositories, for every reader (REQ, COUNT, NIP-77, the policy's lookups, the sync engine's self-subscription,
// the landing page). Nothing is deleted: un-listing brings everything back. Writes pass straight through.
// Results can hold fewer events than a filter's limit while something is hidden.
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import type { EventStore, SaveOutcome } from '../store/types.js';
import { isHidden, listsActive, type ModerationLists } from '../policy/lists.js';

/** Enough of an event to decide whether it is hidden. */
type Visible = Pick<NostrEvent, 'pubkey' | 'kind' | 'tags'>;

const ALL = 10_000_000;

export class HidingStore implements EventStore {
  constructor(private readonly inner: EventStore, private readonly lists: () => ModerationLists) {}

  save(event: NostrEvent): Promise<SaveOutcome> {
    return this.inner.save(event);
  }

  async query(filters: NostrFilter[], opts?: { maxLimit?: number; signal?: AbortSignal }): Promise<NostrEvent[]> {
    const rows = await this.inner.query(filters, opts);
    const lists = this.lists();
    return listsActive(lists) ? rows.filter((e) => !isHidden(lists, e)) : rows;
  }

  async queryRaw(filters: NostrFilter[], opts?: { maxLimit?: number; signal?: AbortSignal }): Promise<string[]> {
    const rows = await this.inner.queryRaw(filters, opts);
    const lists = this.lists();
    return listsActive(lists) ? rows.filter((raw) => !isHidden(lists, JSON.parse(raw) as Visible as NostrEvent)) : rows;
  }

  async count(filters: NostrFilter[], opts: { max?: number } = {}): Promise<number> {
    const lists = this.lists();
    if (!listsActive(lists)) return this.inner.count(filters, opts);
    const cap = opts.max === undefined ? ALL : opts.max + 1;
    return (await this.query(filters.map(withoutLimit), { maxLimit: cap })).length;
  }

  delete(ids: string[]): Promise<number> {
    return this.inner.delete(ids);
  }

  isDeleted(event: NostrEvent): Promise<boolean> {
    return this.inner.isDeleted(event);
  }

  has(id: string): Promise<boolean> {
    return this.inner.has(id);
  }

  async idsForNegentropy(filters: NostrFilter[], opts: { max?: number } = {}): Promise<Array<{ created_at: number; id: string }>> {
    const lists = this.lists();
    if (!listsActive(lists)) return this.inner.idsForNegentropy(filters, opts);
    const cap = opts.max === undefined ? ALL : opts.max + 1;
    return (await this.query(filters.map(withoutLimit), { maxLimit: cap }))
      .map((e) => ({ created_at: e.created_at, id: e.id }))
      .sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function withoutLimit(f: NostrFilter): NostrFilter {
  const { limit: _limit, ...rest } = f;
  return rest;
}
