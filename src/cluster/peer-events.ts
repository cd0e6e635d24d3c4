// Live fan-out across instances: the store NOTIFYs `graspd_events` with the id of every event it saved;
// each instance reads the events saved by the others and hands them to its own subscribers (clients and
// the sync engine's self-subscription alike). Events this instance saved itself were broadcast already.
import type { Logger } from '../log/logger.js';
import type { NostrEvent } from '../nostr/types.js';
import { EVENTS_CHANNEL } from '../store/postgres-store.js';
import type { EventStore } from '../store/types.js';
import { listen, type Listening } from './listen.js';

export class PeerEvents {
  #listening: Listening | undefined;
  #queue: string[] = [];
  #draining = false;

  private constructor(private readonly store: EventStore, private readonly isOwn: (id: string) => boolean, private readonly broadcast: (event: NostrEvent) => void) {}

  /** `isOwn(id)`: this instance saved it (and broadcast it already). */
  static async start(url: string, store: EventStore, isOwn: (id: string) => boolean, broadcast: (event: NostrEvent) => void, log: Logger): Promise<PeerEvents> {
    const p = new PeerEvents(store, isOwn, broadcast);
    p.#listening = await listen(url, EVENTS_CHANNEL, log, (id) => p.#onSaved(id), async () => {});
    return p;
  }

  async close(): Promise<void> {
    await this.#listening?.close();
  }

  #onSaved(id: string): void {
    if (this.isOwn(id)) return;
    this.#queue.push(id);
    if (!this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const ids = this.#queue.splice(0, 500);
        const events = await this.store.query([{ ids }], { maxLimit: ids.length });
        events.sort((a, b) => a.created_at - b.created_at);
        for (const e of events) this.broadcast(e);
      }
    } catch {
      // a failed read loses only the live copy: the events are stored and served to every later REQ
    } finally {
      this.#draining = false;
    }
  }
}
