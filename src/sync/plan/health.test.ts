import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, canAttempt, healthState, initialHealth, isRateLimitMessage, nextAttemptAt, nextHealth, type HealthConfig, type RelayHealth } from './health.js';

const CFG: HealthConfig = { backoffBaseMs: 5000, backoffMaxMs: 3_600_000, deadAfterMs: 86_400_000, rateLimitCooldownMs: 65_000, stabilityMs: 300_000, jitter: 0.2 };
const zero = (): number => 0;

test('backoff doubles per failure from the base and is capped', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffMs(n, CFG, zero)), [5000, 10000, 20000, 40000, 80000]);
  assert.equal(backoffMs(30, CFG, zero), 3_600_000);
  assert.equal(backoffMs(30, CFG, () => 0.99), 3_600_000);
});

test('jitter adds at most the configured fraction', () => {
  assert.equal(backoffMs(1, CFG, () => 0.5), 5500);
  assert.ok(backoffMs(2, CFG, () => 0.999) < 12000);
});

test('reconnect attempts follow the backoff schedule', () => {
  let h = initialHealth();
  let now = 0;
  const attempts: number[] = [];
  while (attempts.length < 6) {
    if (canAttempt(h, now)) {
      attempts.push(now);
      h = nextHealth(h, { type: 'failed' }, now, CFG, zero);
    }
    now += 1000;
  }
  assert.deepEqual(attempts, [0, 5000, 15000, 35000, 75000, 155000]);
  assert.equal(healthState(h, now, CFG), 'degraded');
});

test('a relay failing continuously for deadAfterMs is dead and retried once per period', () => {
  let h = nextHealth(initialHealth(), { type: 'failed' }, 0, CFG, zero);
  h = nextHealth(h, { type: 'failed' }, CFG.deadAfterMs, CFG, zero);
  assert.equal(healthState(h, CFG.deadAfterMs, CFG), 'dead');
  assert.equal(nextAttemptAt(h), 2 * CFG.deadAfterMs);
  assert.equal(canAttempt(h, 2 * CFG.deadAfterMs - 1), false);
  assert.equal(canAttempt(h, 2 * CFG.deadAfterMs), true);
});

test('a recovered relay is degraded for the stability period, then healthy', () => {
  let h = nextHealth(initialHealth(), { type: 'failed' }, 0, CFG, zero);
  h = nextHealth(h, { type: 'connected' }, 10_000, CFG, zero);
  assert.equal(h.failures, 1, 'forgiven only after the stability period');
  assert.equal(healthState(h, 10_000, CFG), 'degraded');
  assert.equal(healthState(h, 10_000 + CFG.stabilityMs, CFG), 'healthy');
  assert.equal(healthState(initialHealth(), 0, CFG), 'disconnected');
  assert.equal(healthState(nextHealth(initialHealth(), { type: 'connected' }, 0, CFG, zero), 1, CFG), 'healthy');
});

test('a flapping relay (accepts, then drops) keeps backing off and reaches Dead like any failing relay', () => {
  let h = initialHealth();
  let t = 0;
  const delays: number[] = [];
  while (t < CFG.deadAfterMs + 1) {
    h = nextHealth(h, { type: 'connected' }, t, CFG, zero);
    h = nextHealth(h, { type: 'disconnected' }, t + 1_000, CFG, zero); // up for 1 s only
    delays.push(nextAttemptAt(h)! - (t + 1_000));
    t = nextAttemptAt(h)!;
  }
  assert.equal(delays[0], CFG.backoffBaseMs);
  assert.ok(delays[3]! > delays[0]!, `backoff grows: ${delays.slice(0, 5).join(', ')}`);
  assert.equal(healthState(h, t, CFG), 'dead');
  // a connection that stays up for the stability period is forgiven
  let s = nextHealth(h, { type: 'connected' }, t, CFG, zero);
  assert.equal(healthState(s, t + CFG.stabilityMs, CFG), 'healthy');
  s = nextHealth(s, { type: 'disconnected' }, t + CFG.stabilityMs, CFG, zero);
  assert.equal(s.failures, 1);
  assert.equal(nextAttemptAt(s), t + CFG.stabilityMs + CFG.backoffBaseMs);
});

test('an unexpected disconnect counts as a failure, an intentional close does not', () => {
  const up = nextHealth(initialHealth(), { type: 'connected' }, 0, CFG, zero);
  assert.equal(nextHealth(up, { type: 'disconnected' }, 1, CFG, zero).failures, 1);
  const closed = nextHealth(up, { type: 'closed' }, 1, CFG, zero);
  assert.equal(closed.failures, 0);
  assert.equal(canAttempt(closed, 1), true);
});

test('rate limiting blocks attempts until the cooldown ends, even across a reconnect', () => {
  let h: RelayHealth = nextHealth(initialHealth(), { type: 'connected' }, 0, CFG, zero);
  h = nextHealth(h, { type: 'rateLimited' }, 1000, CFG, zero);
  assert.equal(healthState(h, 1000, CFG), 'rateLimited');
  h = nextHealth(h, { type: 'disconnected' }, 2000, CFG, zero);
  assert.equal(canAttempt(h, 65_999), false);
  assert.equal(canAttempt(h, 66_000), true);
  assert.notEqual(healthState(h, 66_000, CFG), 'rateLimited');
});

test('rate-limit messages are recognised, other complaints are not', () => {
  for (const t of ['rate-limited: slow', 'You are being Rate Limited', 'Too Many Requests', 'please SLOW DOWN', 'rate-limit exceeded'])
    assert.equal(isRateLimitMessage(t), true, t);
  for (const t of ['too many filters', 'too many subscriptions', 'blocked: no', 'error: internal'])
    assert.equal(isRateLimitMessage(t), false, t);
});
