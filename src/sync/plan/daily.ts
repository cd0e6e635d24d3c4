// Daily reconciliation timer (SYNC.md "Daily reconciliation"): per relay, a fresh sync at a random
// time in [min, max] after `now`, so relays (and servers) do not all reconcile at once.

/** `random` is injected, in [0, 1). */
export function nextDailyAt(now: number, minMs: number, maxMs: number, random: () => number): number {
  const lo = Math.min(minMs, maxMs);
  const span = Math.max(minMs, maxMs) - lo;
  return now + lo + Math.floor(random() * (span + 1));
}

export function isDailyDue(dueAt: number | undefined, now: number): boolean {
  return dueAt !== undefined && now >= dueAt;
}
