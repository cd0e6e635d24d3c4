// Live subscription index: who wants which newly stored events. Linear scan over open subscriptions;
// matching is cheap (a few µs) and fan-out to 1,000 subscriptions stays well under a millisecond.
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import { matchFilters } from '../nostr/filter.js';

export interface Subscriber {
  /** deliver one live event; raw is the event's JSON */
  deliver(subId: string, event: NostrEvent, raw: string): void;
}

interface Entry {
  subscriber: Subscriber;
  subId: string;
  filters: NostrFilter[];
}

export class SubscriptionIndex {
  private readonly bySubscriber = new Map<Subscriber, Map<string, Entry>>();
  private entries: Entry[] = [];
  private dirty = false;

  add(subscriber: Subscriber, subId: string, filters: NostrFilter[]): void {
    let subs = this.bySubscriber.get(subscriber);
    if (!subs) this.bySubscriber.set(subscriber, (subs = new Map()));
    subs.set(subId, { subscriber, subId, filters });
    this.dirty = true;
  }

  remove(subscriber: Subscriber, subId: string): boolean {
    const removed = this.bySubscriber.get(subscriber)?.delete(subId) ?? false;
    if (removed) this.dirty = true;
    return removed;
  }

  removeAll(subscriber: Subscriber): void {
    if (this.bySubscriber.delete(subscriber)) this.dirty = true;
  }

  countFor(subscriber: Subscriber): number {
    return this.bySubscriber.get(subscriber)?.size ?? 0;
  }

  has(subscriber: Subscriber, subId: string): boolean {
    return this.bySubscriber.get(subscriber)?.has(subId) ?? false;
  }

  get size(): number {
    return this.snapshot().length;
  }

  /** Delivers the event to every matching subscription; returns how many got it. */
  broadcast(event: NostrEvent, raw: string): number {
    let n = 0;
    for (const e of this.snapshot()) {
      if (matchFilters(e.filters, event)) {
        e.subscriber.deliver(e.subId, event, raw);
        n++;
      }
    }
    return n;
  }

  private snapshot(): Entry[] {
    if (this.dirty) {
      this.entries = [...this.bySubscriber.values()].flatMap((m) => [...m.values()]);
      this.dirty = false;
    }
    return this.entries;
  }
}
