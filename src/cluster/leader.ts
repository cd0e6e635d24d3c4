// Exactly one instance runs the background work (proactive sync, git data sync, purgatory expiry, git
// maintenance): the one holding a PostgreSQL session advisory lock. The others try again every
// `checkMs`; when the leader's process dies its session ends, the lock is free, and another instance takes
// over within one check.
import pg from 'pg';
import client from 'prom-client';
import type { Logger } from '../log/logger.js';
import { registry } from '../metrics/registry.js';

const leaderGauge = new client.Gauge({ name: 'graspd_cluster_leader', help: '1 while this instance runs the background work (sync, git data sync, expiry, maintenance)', registers: [registry] });

const LEADER_LOCK = '0x6772617370642d6c'; // any fixed 64-bit key unique to graspd

export interface Leadership {
  readonly isLeader: boolean;
  stop(): Promise<void>;
}

export async function runForLeader(url: string, checkMs: number, log: Logger, onLead: () => Promise<() => Promise<void>>): Promise<Leadership> {
  let stopped = false;
  let client: pg.Client | undefined;
  let resign: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let trying: Promise<void> = Promise.resolve();
  const key = BigInt(LEADER_LOCK).toString();
  const attempt = async (): Promise<void> => {
    if (stopped || resign) return;
    try {
      if (!client) {
        const c = new pg.Client({ connectionString: url });
        c.on('error', (err) => {
          log.error({ err: err.message }, 'leadership connection lost');
          if (client === c) client = undefined;
          // without the session the lock is gone: stop leading at once
          const r = resign;
          resign = undefined;
          if (r) void r().catch(() => {});
        });
        await c.connect();
        client = c;
      }
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key]);
      if (r.rows[0]?.ok === true && !stopped) {
        log.info({}, 'this instance leads: background work starts here');
        leaderGauge.set(1);
        const stopLeading = await onLead();
        resign = async () => {
          leaderGauge.set(0);
          await stopLeading();
        };
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'leadership check failed');
    }
  };
  const loop = (): void => {
    trying = trying.then(attempt);
    timer = setTimeout(loop, checkMs);
    timer.unref();
  };
  await attempt();
  timer = setTimeout(loop, checkMs);
  timer.unref();
  return {
    get isLeader() {
      return resign !== undefined;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await trying.catch(() => {});
      const r = resign;
      resign = undefined;
      await r?.().catch(() => {});
      await client?.end().catch(() => {});
    },
  };
}
