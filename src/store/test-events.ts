// Shape-only Nostr events for store tests and benches: ids are hashes of a counter, signatures are dummies
// (the store never verifies; ingest does). Not for anything that checks NIP-01 signatures.
import { createHash } from 'node:crypto';
import type { NostrEvent } from '../nostr/types.js';

let counter = 0;

export function hex64(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

export const PK_A = hex64('author-a');
export const PK_B = hex64('author-b');

/** A fresh event; `id` defaults to a unique hash, everything else to plain defaults. */
export function buildEvent(partial: Partial<NostrEvent> = {}): NostrEvent {
  counter++;
  return {
    id: partial.id ?? hex64(`event-${counter}-${Math.random()}`),
    pubkey: partial.pubkey ?? PK_A,
    created_at: partial.created_at ?? 1_700_000_000,
    kind: partial.kind ?? 1,
    tags: partial.tags ?? [],
    content: partial.content ?? '',
    sig: partial.sig ?? '0'.repeat(128),
  };
}

/** An id that sorts before (`'0…'`) or after (`'f…'`) typical random ids, for tie-break tests. */
export function idStartingWith(prefix: string, seed = ''): string {
  return (prefix + hex64(`${prefix}-${seed}`)).slice(0, 64);
}
