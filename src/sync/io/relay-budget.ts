// Inbound budget of one remote relay (SYNC.md invariant 4: a hostile remote is bounded). Every frame a
// remote sends costs us parsing, and every EVENT a signature check and a store lookup; a relay flooding
// us must not take the process. Two token buckets per relay URL (messages and bytes, each refilled at
// its rate, holding `burstSeconds` of it): when a frame overdraws one, reading from that relay stops for
// `pauseMs` (TCP back-pressure reaches the remote) and the caller logs and counts it once.
// Kept per URL, not per connection: reconnecting does not refill a bucket.

export interface BudgetConfig {
  messagesPerSecond: number;
  bytesPerSecond: number;
  /** bucket size in seconds of the rate: a burst this long passes unthrottled */
  burstSeconds: number;
  pauseMs: number;
}

export interface Bucket {
  messages: number;
  bytes: number;
  at: number;
  /** reading is paused until then */
  pausedUntil: number;
}

export type Charge = { type: 'ok' } | { type: 'paused'; until: number } | { type: 'exceeded'; budget: 'messages' | 'bytes'; until: number };

export function fullBucket(cfg: BudgetConfig, now: number): Bucket {
  return { messages: cfg.messagesPerSecond * cfg.burstSeconds, bytes: cfg.bytesPerSecond * cfg.burstSeconds, at: now, pausedUntil: 0 };
}

function refill(b: Bucket, cfg: BudgetConfig, now: number): void {
  const dt = Math.max(0, now - b.at) / 1000;
  b.messages = Math.min(cfg.messagesPerSecond * cfg.burstSeconds, b.messages + dt * cfg.messagesPerSecond);
  b.bytes = Math.min(cfg.bytesPerSecond * cfg.burstSeconds, b.bytes + dt * cfg.bytesPerSecond);
  b.at = now;
}

/** Takes one frame of `bytes` from the bucket (mutates it). `exceeded` only on the frame that overdrew. */
export function charge(b: Bucket, cfg: BudgetConfig, bytes: number, now: number): Charge {
  refill(b, cfg, now);
  b.messages -= 1;
  b.bytes -= bytes;
  if (b.pausedUntil > now) return { type: 'paused', until: b.pausedUntil };
  if (b.messages >= 0 && b.bytes >= 0) return { type: 'ok' };
  b.pausedUntil = now + cfg.pauseMs;
  return { type: 'exceeded', budget: b.messages < 0 ? 'messages' : 'bytes', until: b.pausedUntil };
}

/** A bucket that refilled completely carries no information: it can be dropped. */
export function isFull(b: Bucket, cfg: BudgetConfig, now: number): boolean {
  refill(b, cfg, now);
  return b.pausedUntil <= now && b.messages >= cfg.messagesPerSecond * cfg.burstSeconds && b.bytes >= cfg.bytesPerSecond * cfg.burstSeconds;
}

/** The buckets of every remote relay, by URL; full ones are dropped so forgotten relays cost nothing. */
export class RelayBudgets {
  private readonly buckets = new Map<string, Bucket>();
  private charges = 0;

  constructor(readonly cfg: BudgetConfig, private readonly now: () => number = Date.now) {}

  charge(relay: string, bytes: number): Charge {
    const now = this.now();
    let b = this.buckets.get(relay);
    if (b === undefined) this.buckets.set(relay, (b = fullBucket(this.cfg, now)));
    const c = charge(b, this.cfg, bytes, now);
    if (++this.charges % 10_000 === 0) this.sweep(now);
    return c;
  }

  /** End of the relay's current pause (0 when not paused). */
  pausedUntil(relay: string): number {
    const until = this.buckets.get(relay)?.pausedUntil ?? 0;
    return until > this.now() ? until : 0;
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [url, b] of this.buckets) if (isFull(b, this.cfg, now)) this.buckets.delete(url);
  }
}
