// The event-admission pipeline's vocabulary: where an event came from and what policy decided.
import type { NostrEvent, Reason } from '../nostr/types.js';

/** Explicit provenance (never inferred from addresses). */
export type Source = 'client' | 'sync' | 'push';

export interface EventCtx {
  source: Source;
  ip?: string;
  /** For sync: the remote relay URL the event came from. */
  relay?: string;
}

export type Admission =
  | { type: 'store' }
  | { type: 'reject'; reason: Reason; /** true when it failed only for a dependency that may arrive later */ missingDependency?: boolean }
  | { type: 'purgatory'; reason: string };

/** Final answer of ingest, mapped 1:1 to an OK message. */
export interface IngestOutcome {
  ok: boolean;
  message: string;
  /** what happened, for metrics and callers (sync counts by this) */
  result: 'stored' | 'duplicate' | 'purgatory' | 'rejected' | 'invalid' | 'deleted' | 'ephemeral' | 'superseded' | 'error';
  event?: NostrEvent;
}
