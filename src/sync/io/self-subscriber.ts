// The self-subscriber (SYNC.md "Self-subscription"): our own relay's accepted 30617/1617/1618/1619/1621,
// stored first then live, no limit cap; announcements held in purgatory too (state-only sync); deletions
// of announcements remove repos. Queued events are handed over when the batch window fires (the timer
// starts at the first queued event and does not reset). The window coalesces live trickles; the stored
// backlog at start, and events a finished historic part brought in (`flushNow`), go over at once.
import type { NostrEvent } from '../../nostr/types.js';
import { KIND_DELETION, KIND_REPO_ANNOUNCEMENT, ROOT_KINDS } from '../../nostr/kinds.js';
import type { Ingest } from '../../relay/ingest.js';
import type { Relay } from '../../relay/relay.js';
import type { RepoKey } from '../plan/types.js';
import { parseRepoKey } from '../plan/repo-index.js';

export interface SelfBatch {
  served: NostrEvent[];
  purgatoryAnnouncements: NostrEvent[];
  removed: RepoKey[];
}

export const SELF_KINDS = [KIND_REPO_ANNOUNCEMENT, ...ROOT_KINDS];

export class SelfSubscriber {
  private queue: SelfBatch = { served: [], purgatoryAnnouncements: [], removed: [] };
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  /** coordinates of announcements we know, by event id (to map `e`-tag deletions to repos) */
  private readonly annById = new Map<string, RepoKey>();

  constructor(private readonly relay: Relay, private readonly ingest: Ingest, private readonly windowMs: number, private readonly flush: (b: SelfBatch) => void) {}

  async start(): Promise<void> {
    this.ingest.onAccepted((event, info) => {
      if (this.stopped) return;
      if (!info.served && event.kind === KIND_REPO_ANNOUNCEMENT) this.push('purgatoryAnnouncements', event);
      if (info.served && event.kind === KIND_DELETION) for (const k of this.deletedRepos(event)) this.pushRemoved(k);
    });
    this.unsubscribe = await this.relay.subscribe([{ kinds: SELF_KINDS }], (e) => this.push('served', e));
    this.flushNow();
  }

  /** Hands over what is queued without waiting for the window. */
  flushNow(): void {
    if (this.stopped || this.timer === undefined) return;
    clearTimeout(this.timer);
    this.fire();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private push(which: 'served' | 'purgatoryAnnouncements', e: NostrEvent): void {
    if (this.stopped) return;
    if (e.kind === KIND_REPO_ANNOUNCEMENT) {
      const d = e.tags.find((t) => t[0] === 'd')?.[1];
      const key = d === undefined ? undefined : parseRepoKey(`30617:${e.pubkey}:${d}`);
      if (key !== undefined) this.annById.set(e.id, key);
    }
    this.queue[which].push(e);
    this.arm();
  }

  private pushRemoved(key: RepoKey): void {
    this.queue.removed.push(key);
    this.arm();
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.fire(), this.windowMs);
  }

  private fire(): void {
    this.timer = undefined;
    const b = this.queue;
    this.queue = { served: [], purgatoryAnnouncements: [], removed: [] };
    this.flush(b);
  }

  /** Repos a NIP-09 deletion removes: `a` coordinates of announcements, or `e` ids of ones we know. */
  private deletedRepos(del: NostrEvent): RepoKey[] {
    const out: RepoKey[] = [];
    for (const t of del.tags) {
      if (t[0] === 'a' && t[1]?.startsWith('30617:') && t[1].split(':')[1] === del.pubkey) {
        const k = parseRepoKey(t[1]);
        if (k !== undefined) out.push(k);
      }
      if (t[0] === 'e' && t[1] !== undefined) {
        const k = this.annById.get(t[1]);
        if (k !== undefined && k.split(':')[1] === del.pubkey) out.push(k);
      }
    }
    return out;
  }
}
