// Builds the status handler from the running parts (composition root helper for app/server.ts).
import type { Config } from '../config/load.js';
import type { RepoLifecycle } from '../app/repo-lifecycle.js';
import type { Purgatory } from '../purgatory/types.js';
import type { Relay } from '../relay/relay.js';
import type { EventStore } from '../store/types.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cachedReport, collectStatus, type FetchJobView } from './collect.js';
import { statusHandler } from './http.js';
import type { RelayStatus, RepoSyncCoverage } from './types.js';
import type { LastFetchRun } from '../gitfetch/gitfetch.js';

/** The report is computed at most this often (one git process per repository per computation). */
export const STATUS_CACHE_MS = 5_000;
/** Repositories inspected and listed per report (incomplete first). */
export const STATUS_MAX_REPOS = 1_000;

export interface StatusWiring {
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  attachFetcher(fetcher: { jobs(): FetchJobView[]; lastRun(owner: string, d: string): LastFetchRun | undefined }): void;
  /** the sync engine's per-relay view and resync hook (when --sync is on) */
  attachSync(view: { relays(): RelayStatus[]; repoSync(owner: string, d: string): RepoSyncCoverage | undefined; resync(url: string): Promise<'started' | 'unknown-relay'> }): void;
}

export function statusWiring(deps: {
  config: Config;
  version: string;
  store: EventStore;
  purgatory: Purgatory;
  lifecycle: RepoLifecycle;
  relay: Relay;
  now: () => number;
}): StatusWiring {
  let fetcher: Parameters<StatusWiring['attachFetcher']>[0] | undefined;
  let sync: Parameters<StatusWiring['attachSync']>[0] | undefined;
  const report = cachedReport(STATUS_CACHE_MS, deps.now, () =>
    collectStatus({
      version: deps.version,
      domain: deps.config.domain,
      dataDir: deps.config.dataDir,
      syncEnabled: deps.config.sync,
      store: deps.store,
      purgatory: deps.purgatory,
      authorisedStates: (owner, d) => deps.lifecycle.authorisedStates(owner, d),
      repoExists: (owner, d) => deps.lifecycle.git.repoExists(owner, d),
      repoDir: (owner, d) => deps.lifecycle.git.repoDir(owner, d),
      connections: () => deps.relay.connectionCount,
      ...(fetcher ? { fetchJobs: () => fetcher!.jobs(), lastFetch: (o: string, d: string) => fetcher!.lastRun(o, d) } : {}),
      ...(sync ? { relays: sync.relays, repoSync: sync.repoSync } : {}),
      now: deps.now,
      maxRepos: STATUS_MAX_REPOS,
    }),
  );
  const handle = statusHandler({
    report,
    now: deps.now,
    adminToken: deps.config.adminToken,
    get resync() {
      return sync?.resync;
    },
  });
  return {
    handle,
    attachFetcher: (f) => {
      fetcher = f;
    },
    attachSync: (view) => {
      sync = view;
    },
  };
}
