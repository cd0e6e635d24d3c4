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

export interface Purgatory {
  /** Durable: resolves after the entry is committed to disk. Replaces an entry with the same id. */
  add(entry: PurgatoryEntry): Promise<void>;
  get(id: string): PurgatoryEntry | undefined;
  has(id: string): boolean;
  /** Live (unexpired at `now`) entries, optionally by kind. */
  list(now: number, opts?: { kinds?: number[] }): PurgatoryEntry[];
  /** Removes and returns the entry (used by release and by deletions). */
  remove(id: string): Promise<PurgatoryEntry | undefined>;
  /** Removes entries older than the expiry; returns them. */
  expire(now: number): Promise<PurgatoryEntry[]>;
  readonly size: number;
  close(): Promise<void>;
}
