// Timers that keep the server tidy: purgatory expiry sweep, stale refs/nostr cleanup, purgatory gauges,
// and the two sync halves: the event sync engine and the git data hunter (git-sync.ts).
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import type { EventStore } from '../store/types.js';
import type { Purgatory } from '../purgatory/types.js';
import type { Ingest } from '../relay/ingest.js';
import type { Relay } from '../relay/relay.js';
import type { RepoLifecycle } from './repo-lifecycle.js';
import type { PolicyWorld } from '../policy/types.js';
import { SyncEngine } from '../sync/engine.js';
import { GitSync } from './git-sync.js';
import { startStorageMaintenance } from './storage.js';

export interface BackgroundDeps {
  config: Config;
  store: EventStore;
  purgatory: Purgatory;
  ingest: Ingest;
  relay: Relay;
  lifecycle: RepoLifecycle;
  world: PolicyWorld;
  log: Logger;
  now: () => number;
}

export interface Background {
  gitSync: GitSync;
  /** the proactive sync engine (GRASP-02); undefined when --sync is off */
  sync: SyncEngine | undefined;
  stop(): Promise<void>;
}

export async function startBackgroundTasks(deps: BackgroundDeps): Promise<Background> {
  const { config, purgatory, log, now } = deps;
  // before the sync engine: events it brings must find the hunter listening
  const gitSync = new GitSync({ config, store: deps.store, purgatory, ingest: deps.ingest, lifecycle: deps.lifecycle, world: deps.world, log, now });
  await gitSync.start();
  const storage = startStorageMaintenance({ config, store: deps.store, purgatory, lifecycle: deps.lifecycle, log, now });
  let sync: SyncEngine | undefined;
  if (config.sync) {
    sync = new SyncEngine({ config, store: deps.store, purgatory, ingest: deps.ingest, relay: deps.relay, log, now });
    await sync.start();
  }
  const sweepEvery = Math.max(250, Math.min(60_000, Math.floor(config.purgatoryExpiryMs / 4)));
  let sweeping = false;
  const sweep = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    void (async () => {
      const expired = await purgatory.expire(now());
      if (expired.length > 0) log.info({ count: expired.length }, 'purgatory entries expired');
      await deps.ingest.dropHeldWith(expired.map((e) => e.event));
      await deps.lifecycle.removeAbandonedRepos(expired.map((e) => e.event));
      sync?.purgatoryExpired(expired.map((e) => e.event));
      await deps.lifecycle.sweep(now());
      await gitSync.tidy();
    })()
      .catch((err: unknown) => log.error({ err }, 'purgatory sweep failed'))
      .finally(() => (sweeping = false));
  }, sweepEvery);
  sweep.unref();
  // the oldest-entry age moves with the clock, not with events
  const gauges = setInterval(() => gitSync.updateGauges(), Math.min(sweepEvery, 5_000));
  gauges.unref();

  return {
    gitSync,
    sync,
    async stop() {
      clearInterval(sweep);
      clearInterval(gauges);
      await sync?.stop();
      await gitSync.stop();
      await storage.stop();
    },
  };
}
