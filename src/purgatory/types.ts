// Purgatory: accepted events held (durably) until their git data arrives. Not served, not broadcast.
import type { NostrEvent } from '../nostr/types.js';

export interface PurgatoryEntry {
  event: NostrEvent;
  /** ms epoch when it entered purgatory (injected clock) */
  addedAt: number;
  /** human reason, e.g. 'awaiting first push', 'commit abc… missing' */
  reason: string;
  source: 'client' | 'sync' | 'push';
}

/** Indexed questions (any combination; the answer is the union): no full scan of what is held. */
export interface PurgatoryLookup {
  ids?: readonly string[];
  /** `kind:pubkey:d` */
  addresses?: readonly string[];
  /** held events of these kinds with this identifier */
  identifier?: { d: string; kinds: readonly number[] };
  /** held events that reference one of these ids or coordinates */
  referencing?: readonly string[];
}

export interface Purgatory {
  /** Durable: resolves after the entry is committed to disk. Replaces an entry with the same id. */
  add(entry: PurgatoryEntry): Promise<void>;
  get(id: string): PurgatoryEntry | undefined;
  has(id: string): boolean;
  /** Live (unexpired at `now`) entries, optionally by kind (reads every matching body: not for hot paths). */
  list(now: number, opts?: { kinds?: number[] }): PurgatoryEntry[];
  /** kind and age of every live entry, from the index alone (gauges) */
  summary(now: number): Array<{ kind: number; addedAt: number }>;
  /** Live entries found through the index, oldest first. */
  lookup(q: PurgatoryLookup, now?: number): PurgatoryEntry[];
  /** Removes and returns the entry (used by release and by deletions). */
  remove(id: string): Promise<PurgatoryEntry | undefined>;
  /** Removes entries older than the expiry; returns them. */
  expire(now: number): Promise<PurgatoryEntry[]>;
  readonly size: number;
  close(): Promise<void>;
}
