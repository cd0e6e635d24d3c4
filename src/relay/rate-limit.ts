// Per-connection token bucket (pure arithmetic over an injected `now`).
export interface TokenBucket {
  tokens: number;
  updatedAt: number;
}

export function createBucket(burst: number, now: number): TokenBucket {
  return { tokens: burst, updatedAt: now };
}

/** Takes one token if available; refills at `perSecond` up to `burst`. Mutates and returns whether allowed. */
export function takeToken(b: TokenBucket, now: number, perSecond: number, burst: number): boolean {
  const elapsed = Math.max(0, now - b.updatedAt) / 1000;
  b.tokens = Math.min(burst, b.tokens + elapsed * perSecond);
  b.updatedAt = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  return false;
}
