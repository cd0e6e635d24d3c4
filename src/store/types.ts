// The storage seam. Every implementation runs the shared contract suite (store/store.contract.ts).
import type { NostrEvent, NostrFilter } from '../nostr/types.js';

/**
 * saved: new and stored. duplicate: same id already stored. replaced: stored, and it superseded an older
 * replaceable/addressable version. superseded: not stored, a newer version (or lower id at a tie) exists.
 * deleted: not stored, a NIP-09 deletion by its author already covers it.
 */
export type SaveOutcome = 'saved' | 'duplicate' | 'replaced' | 'superseded' | 'deleted';

export interface EventStore {
  /** Durably stores the event (the promise resolves after the commit is on disk). Applies replaceable,
   * addressable and NIP-09 deletion semantics (a kind-5 event deletes what it targets by the same author). */
  save(event: NostrEvent): Promise<SaveOutcome>;
  /** Events matching any filter, newest first (created_at desc, then id asc), each filter's limit applied. */
  query(filters: NostrFilter[], opts?: { maxLimit?: number; signal?: AbortSignal }): Promise<NostrEvent[]>;
  /** Same as query but raw JSON strings of the events (hot path: no re-serialization). */
  queryRaw(filters: NostrFilter[], opts?: { maxLimit?: number; signal?: AbortSignal }): Promise<string[]>;
  /** Stored events matching any filter (limits ignored). With `max`, counting stops after max + 1 matches, so
   * a result above `max` means "more than max" (a COUNT budget). */
  count(filters: NostrFilter[], opts?: { max?: number }): Promise<number>;
  /** Removes events by id (hard delete, no tombstone). Returns how many were removed. */
  delete(ids: string[]): Promise<number>;
  /** True when a deletion by `pubkey` covers this event id or address (`kind:pubkey:d`). */
  isDeleted(event: NostrEvent): Promise<boolean>;
  has(id: string): Promise<boolean>;
  /** (created_at, id) of every stored event matching the filters, for negentropy. */
  /** With `max`, at most max + 1 pairs are read: more than `max` means the set is too large (a NEG-OPEN budget). */
  idsForNegentropy(filters: NostrFilter[], opts?: { max?: number }): Promise<Array<{ created_at: number; id: string }>>;
  close(): Promise<void>;
}
