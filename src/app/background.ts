// Timers that keep the server tidy: purgatory expiry sweep, stale refs/nostr cleanup, and the sync engine.
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import type { EventStore } from '../store/types.js';
import type { Purgatory } from '../purgatory/types.js';
import type { Ingest } from '../relay/ingest.js';
import type { Relay } from '../relay/relay.js';
import type { RepoLifecycle } from './repo-lifecycle.js';
import { SyncEngine } from '../sync/engine.js';

export interface BackgroundDeps {
  config: Config;
  store: EventStore;
  purgatory: Purgatory;
  ingest: Ingest;
  relay: Relay;
  lifecycle: RepoLifecycle;
  log: Logger;
  now: () => number;
}

export interface Background {
  stop(): Promise<void>;
}

export async function startBackgroundTasks(deps: BackgroundDeps): Promise<Background> {
  const { config, purgatory, log, now } = deps;
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
      sync?.purgatoryExpired(expired.map((e) => e.event));
      await deps.lifecycle.sweep(now());
    })()
      .catch((err: unknown) => log.error({ err }, 'purgatory sweep failed'))
      .finally(() => (sweeping = false));
  }, sweepEvery);
  sweep.unref();

  return {
    async stop() {
      clearInterval(sweep);
      await sync?.stop();
    },
  };
}
