// Relay health: the ONE place for backoff, degraded, dead and rate-limit cooldown (SYNC.md "Health
// tracking"). "Why didn't we contact relay X?" is answered by `healthState` and `nextAttemptAt` alone.
// Pure: the clock is `now`, jitter comes from an injected random() in [0,1).
import { assertNever } from './types.js';

export type HealthState = 'healthy' | 'disconnected' | 'degraded' | 'dead' | 'rateLimited';

export interface RelayHealth {
  connected: boolean;
  /** consecutive failures: a connection counts as a success only once it stayed up for stabilityMs */
  failures: number;
  firstFailureAt?: number;
  lastFailureAt?: number;
  lastSuccessAt?: number;
  /** no attempt before this time */
  nextAttemptAt?: number;
  rateLimitedUntil?: number;
}

export interface HealthConfig {
  backoffBaseMs: number;
  backoffMaxMs: number;
  deadAfterMs: number;
  rateLimitCooldownMs: number;
  /** recovered relays stay Degraded this long */
  stabilityMs: number;
  /** jitter adds up to this fraction of the delay */
  jitter: number;
}

export const STABILITY_PERIOD_MS = 5 * 60_000;

export type HealthOutcome =
  | { type: 'connected' }
  /** a connection attempt failed (timeout, refused, HTTP error on upgrade) */
  | { type: 'failed' }
  /** an open connection dropped without us asking */
  | { type: 'disconnected' }
  /** we closed it on purpose: not a failure */
  | { type: 'closed' }
  /** rate-limited: prefix, rate-limit NOTICE, or HTTP 429 on upgrade */
  | { type: 'rateLimited' };

export function initialHealth(): RelayHealth {
  return { connected: false, failures: 0 };
}

/** base × 2^(failures−1), capped at max, plus jitter (still capped). */
export function backoffMs(failures: number, cfg: HealthConfig, random: () => number): number {
  const exp = Math.min(cfg.backoffBaseMs * 2 ** Math.max(0, failures - 1), cfg.backoffMaxMs);
  return Math.min(cfg.backoffMaxMs, Math.floor(exp * (1 + cfg.jitter * random())));
}

export function nextHealth(h: RelayHealth, o: HealthOutcome, now: number, cfg: HealthConfig, random: () => number): RelayHealth {
  switch (o.type) {
    case 'connected':
      // failures are forgiven only once the connection has stayed up for the stability period (see fail):
      // a relay that accepts and then drops every connection keeps backing off and reaches Dead
      return {
        connected: true, failures: h.failures, lastSuccessAt: now,
        ...(h.firstFailureAt !== undefined ? { firstFailureAt: h.firstFailureAt } : {}),
        ...(h.lastFailureAt !== undefined ? { lastFailureAt: h.lastFailureAt } : {}), ...keepRateLimit(h, now),
      };
    case 'failed':
    case 'disconnected':
      return fail(h, now, cfg, random);
    case 'closed':
      return { ...h, connected: false };
    case 'rateLimited': {
      const until = now + cfg.rateLimitCooldownMs;
      return { ...h, rateLimitedUntil: until, nextAttemptAt: Math.max(h.nextAttemptAt ?? 0, until) };
    }
    default:
      return assertNever(o);
  }
}

/** The connection has been up for the stability period: earlier failures no longer count. */
function stable(h: RelayHealth, now: number, cfg: HealthConfig): boolean {
  return h.connected && h.lastSuccessAt !== undefined && now - h.lastSuccessAt >= cfg.stabilityMs;
}

function fail(h: RelayHealth, now: number, cfg: HealthConfig, random: () => number): RelayHealth {
  const forgiven = stable(h, now, cfg);
  const failures = (forgiven ? 0 : h.failures) + 1;
  const firstFailureAt = forgiven ? now : (h.firstFailureAt ?? now);
  const dead = now - firstFailureAt >= cfg.deadAfterMs;
  const delay = dead ? cfg.deadAfterMs : backoffMs(failures, cfg, random);
  return {
    ...h,
    connected: false,
    failures,
    firstFailureAt,
    lastFailureAt: now,
    nextAttemptAt: Math.max(h.rateLimitedUntil ?? 0, now + delay),
  };
}

function keepRateLimit(h: RelayHealth, now: number): Partial<RelayHealth> {
  return h.rateLimitedUntil !== undefined && h.rateLimitedUntil > now ? { rateLimitedUntil: h.rateLimitedUntil } : {};
}

export function isRateLimited(h: RelayHealth, now: number): boolean {
  return h.rateLimitedUntil !== undefined && now < h.rateLimitedUntil;
}

export function healthState(h: RelayHealth, now: number, cfg: HealthConfig): HealthState {
  if (isRateLimited(h, now)) return 'rateLimited';
  const failures = stable(h, now, cfg) ? 0 : h.failures;
  if (failures > 0 && h.firstFailureAt !== undefined && now - h.firstFailureAt >= cfg.deadAfterMs) return 'dead';
  if (failures > 0) return 'degraded';
  const recovered = h.lastFailureAt !== undefined && h.lastSuccessAt !== undefined && now - h.lastSuccessAt < cfg.stabilityMs;
  if (h.connected) return recovered ? 'degraded' : 'healthy';
  return 'disconnected';
}

/** May we open a connection now? (Also: may we send new REQs — see isRateLimited.) */
export function canAttempt(h: RelayHealth, now: number): boolean {
  if (isRateLimited(h, now)) return false;
  return h.nextAttemptAt === undefined || now >= h.nextAttemptAt;
}

export function nextAttemptAt(h: RelayHealth): number | undefined {
  const t = Math.max(h.nextAttemptAt ?? 0, h.rateLimitedUntil ?? 0);
  return t === 0 ? undefined : t;
}

const RATE_LIMIT_TEXTS = ['rate limit', 'rate-limit', 'too many requests', 'slow down'];

/** rate-limited: prefix (CLOSED / OK) or a NOTICE saying so; not "too many filters/subscriptions". */
export function isRateLimitMessage(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t.startsWith('rate-limited:')) return true;
  return RATE_LIMIT_TEXTS.some((s) => t.includes(s));
}
