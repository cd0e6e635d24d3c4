// Publishes events to a running graspd over its WebSocket, so every event goes through the normal
// admission path (verification, GRASP policy, purgatory, quotas). A bounded window of events in flight;
// `rate-limited:` answers are retried after a pause; events refused because something they reference
// had not arrived yet are retried after the rest (input order need not be dependency order).
import type { NostrEvent } from '../nostr/types.js';
import type { OkAnswer } from '../audit/relay-link.js';

export interface Publisher {
  publish(event: NostrEvent): Promise<OkAnswer>;
}

export interface ImportStats {
  sent: number;
  stored: number;
  held: number;
  duplicate: number;
  refused: number;
  /** refusals by machine prefix ("blocked", "invalid", …) */
  refusedBy: Record<string, number>;
}

export interface ImportOptions {
  window: number;
  rateLimitPauseMs: number;
  /** how often a rate-limited event is retried before it counts as refused */
  maxRateLimitRetries: number;
  /** extra passes over events refused with `blocked:` while a pass still admits something */
  retryPasses: number;
}

const prefixOf = (message: string): string => /^([a-z-]+):/.exec(message)?.[1] ?? 'unknown';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function importEvents(events: AsyncIterable<NostrEvent>, pub: Publisher, opts: ImportOptions): Promise<ImportStats> {
  const stats: ImportStats = { sent: 0, stored: 0, held: 0, duplicate: 0, refused: 0, refusedBy: {} };
  const refuse = (message: string): void => {
    const prefix = prefixOf(message);
    stats.refused++;
    stats.refusedBy[prefix] = (stats.refusedBy[prefix] ?? 0) + 1;
  };
  let waiting: Array<{ event: NostrEvent; message: string }> = [];
  const sendOne = async (e: NostrEvent): Promise<void> => {
    let a: OkAnswer = { ok: false, message: 'error: no answer' };
    for (let attempt = 0; attempt <= opts.maxRateLimitRetries; attempt++) {
      a = await pub.publish(e).catch((err: unknown) => ({ ok: false, message: `error: ${err instanceof Error ? err.message : String(err)}` }));
      if (a.ok || prefixOf(a.message) !== 'rate-limited') break;
      await sleep(opts.rateLimitPauseMs);
    }
    const prefix = prefixOf(a.message);
    if (prefix === 'duplicate') stats.duplicate++;
    else if (a.ok && prefix === 'purgatory') stats.held++;
    else if (a.ok) stats.stored++;
    else if (prefix === 'blocked') waiting.push({ event: e, message: a.message });
    else refuse(a.message);
  };
  const inFlight = new Set<Promise<void>>();
  const run = async (e: NostrEvent): Promise<void> => {
    const p: Promise<void> = sendOne(e).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= opts.window) await Promise.race(inFlight);
  };
  for await (const e of events) {
    stats.sent++;
    await run(e);
  }
  await Promise.all(inFlight);
  for (let pass = 0; pass < opts.retryPasses && waiting.length > 0; pass++) {
    const again = waiting;
    waiting = [];
    for (const w of again) await run(w.event);
    await Promise.all(inFlight);
    if (waiting.length === again.length) break; // no progress: the rest is refused for good
  }
  for (const w of waiting) refuse(w.message);
  return stats;
}
