// Composition root: builds the store, purgatory, verifier, policy, relay, git service and sync engine
// from a Config, wires them together, listens, and shuts everything down in order.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import type { EventStore } from '../store/types.js';
import { LmdbStore } from '../store/lmdb-store.js';
import { LmdbPurgatory } from '../purgatory/purgatory.js';
import { createVerifier } from '../nostr/verify.js';
import { createGraspPolicy } from '../policy/index.js';
import { createdAtNotTooFarInFuture, maxContentBytes, maxTags } from '../policy/limits.js';
import type { PolicyWorld } from '../policy/types.js';
import { Ingest } from '../relay/ingest.js';
import { Relay } from '../relay/relay.js';
import { SubscriptionIndex } from '../relay/subscriptions.js';
import { nip11Document } from '../relay/nip11.js';
import { createNegentropyHandler } from '../relay/negentropy-handler.js';
import { createHttpServer, refuseUpgrade, type HttpHandlers } from '../http/server.js';
import { cachedFor } from '../http/cached.js';
import { setMaxGitProcesses } from '../git/git-cli.js';

/** The landing page lists the repositories; it is rendered at most this often. */
const LANDING_CACHE_MS = 5_000;
import { landingPage } from '../http/landing.js';
import { VERSION } from './version.js';
import { RepoLifecycle } from './repo-lifecycle.js';
import { startBackgroundTasks, type Background } from './background.js';
import { openCluster } from '../cluster/open.js';
import { runForLeader, type Leadership } from '../cluster/leader.js';
import { PeerEvents } from '../cluster/peer-events.js';
import type { Purgatory } from '../purgatory/types.js';
import { ListsSource } from '../moderation/lists-source.js';
import { HidingStore } from '../moderation/hiding-store.js';
import { moderationHook, watchBlacklistChanges } from '../moderation/wiring.js';
import { REFUSED_AUTHOR, curationSummary, isRepoBlacklisted } from '../policy/lists.js';
import { parseGitPath } from '../git/repo-paths.js';
import { archiveHook } from '../policy/archive.js';
import { withQuotas } from '../policy/quotas.js';
import { countQuotaRefusal, pushRefusal, quotaFacts, quotaLimits } from './quotas.js';
import { freeDiskReader } from './disk.js';
import { grasp06Hook } from '../grasp06/prs-rules.js';
import { startGrasp06 } from '../grasp06/wire.js';
import { hostingScope } from './hosting.js';
import { isPushRequest, refusePush } from '../git/refuse-push.js';
import { statusWiring } from '../status/wiring.js';
import { relayStatuses, repoSyncCoverage } from '../status/relays.js';
import { countPushAuthorization } from '../git/metrics.js';

export interface StartOptions {
  log: Logger;
  now?: () => number;
}

export interface RunningServer {
  port: number;
  /** http://host:port */
  url: string;
  relayUrl: string;
  config: Config;
  store: EventStore;
  ingest: Ingest;
  relay: Relay;
  close(): Promise<void>;
}

export async function startServer(config: Config, opts: StartOptions): Promise<RunningServer> {
  const { log } = opts;
  const now = opts.now ?? Date.now;
  setMaxGitProcesses(config.gitMaxProcesses);
  // before listening: a bad lists file is a configuration error (exit 2)
  const lists = new ListsSource(config, log);
  // listen first: with --port 0 the public domain depends on the bound port, and every part needs it
  let handlers: HttpHandlers | undefined;
  const notReady = (): never => {
    throw new Error('server not ready');
  };
  const server = createHttpServer(
    {
      upgrade: (req, socket, head) => (handlers ? handlers.upgrade(req, socket, head) : refuseUpgrade(socket, '503 Service Unavailable', 'starting\n')),
      nip11: () => (handlers ?? notReady()).nip11(),
      landing: () => (handlers ?? notReady()).landing(),
      git: (req, res) => (handlers?.git ? handlers.git(req, res) : Promise.resolve(false)),
      status: (req, res) => (handlers?.status ? handlers.status(req, res) : Promise.resolve(false)),
    },
    log,
    // git requests are bounded by --git-timeout-ms (and the minimum transfer rate), not by Node's 300 s default
    { requestTimeoutMs: config.gitTimeoutMs + 10_000 },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  if (config.port === 0 && config.domain === `${config.host}:0`) config.domain = `${config.host}:${port}`;

  mkdirSync(config.dataDir, { recursive: true });
  const cluster = config.databaseUrl === undefined ? undefined : await openCluster(config.databaseUrl, config, log, now);
  const rawStore: EventStore = cluster?.store ?? (await LmdbStore.open(join(config.dataDir, 'events')));
  // every reader sees the store through the moderation lists; writes pass through
  const store: EventStore = new HidingStore(rawStore, () => lists.current);
  const purgatory: Purgatory = cluster?.purgatory ?? (await LmdbPurgatory.open(join(config.dataDir, 'purgatory'), { expiryMs: config.purgatoryExpiryMs, now }));
  const verifier = await createVerifier({ workers: config.verifyWorkers });
  const subscriptions = new SubscriptionIndex();

  const hosting = hostingScope(config);
  const freeDisk = freeDiskReader(config.dataDir);
  const lifecycle = new RepoLifecycle({ config, store, purgatory, log, now, ...(cluster ? { cluster: { sharedLock: cluster.repoLocks, spoolName: cluster.instance } } : {}) });
  const world: PolicyWorld = {
    domain: config.domain,
    query: (filters) => store.query(filters, { maxLimit: 100_000 }),
    purgatoryLookup: (q) => purgatory.lookup(q, now()).map((e) => e.event),
    hasCommits: (owner, d, oids) => lifecycle.hasCommits(owner, d, oids),
    now,
  };
  const ingest = new Ingest({
    verifier,
    store,
    purgatory,
    policy: withQuotas(
      createGraspPolicy({
        extraHooks: [moderationHook(() => lists.current), archiveHook(hosting), ...(config.grasp06 ? [grasp06Hook(config.domain, createGraspPolicy())] : [])],
      }),
      quotaLimits(config),
      quotaFacts(store, purgatory, now, freeDisk),
      countQuotaRefusal,
    ),
    world,
    limits: [
      // before everything, ephemeral events included: a blacklisted author is not even relayed
      (event) => (lists.current.authorBlacklist.has(event.pubkey) ? REFUSED_AUTHOR : undefined),
      maxTags(config.maxEventTags), maxContentBytes(config.maxContentBytes), createdAtNotTooFarInFuture(config.maxFutureSeconds),
    ],
    subscriptions,
    now,
    log,
  });
  lifecycle.attach(ingest);

  const relay = new Relay(
    { config, store, ingest, subscriptions, negentropy: createNegentropyHandler({ store, now, limits: { maxItems: config.negentropyMaxRecords, idleMs: config.negentropyIdleMs } }), log, now },
    { maxConnectionsPerIp: config.maxConnectionsPerIp, maxMessageBytes: config.maxMessageBytes, pingIntervalMs: config.wsPingIntervalMs, trustedProxies: config.trustedProxy },
  );
  const scheme = config.tls ? 'https' : 'http';
  const pushGuard = {
    config,
    freeDisk,
    isArchived: (owner: string, d: string) => lifecycle.isArchivedRepo(owner, d),
    repoDir: (owner: string, d: string) => lifecycle.git.repoDir(owner, d),
  };
  const grasp06 = config.grasp06 ? await startGrasp06({ config, store, purgatory, ingest, lifecycle, log, now }) : undefined;
  const status = statusWiring({ config, version: VERSION, store, purgatory, lifecycle, relay, now });
  handlers = {
    status: status.handle,
    upgrade: (req, socket, head) => relay.handleUpgrade(req, socket, head),
    nip11: () => nip11Document(config, VERSION, curationSummary(lists.current)),
    landing: cachedFor(LANDING_CACHE_MS, async () =>
      landingPage({
        domain: config.domain,
        relayUrl: `${config.tls ? 'wss' : 'ws'}://${config.domain}`,
        httpBase: `${scheme}://${config.domain}`,
        version: VERSION,
        repos: await lifecycle.listRepos(),
      }),
    ),
    git: async (req, res) => {
      if (grasp06 && (await grasp06.handle(req, res))) return true;
      const route = parseGitPath(req.url ?? '/');
      if (!('error' in route) && isRepoBlacklisted(lists.current, route.pubkey, route.d)) {
        res.writeHead(404, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('repository not found\n');
        return true;
      }
      if (!('error' in route) && isPushRequest(req)) {
        const refusal = await pushRefusal(pushGuard, req, route.pubkey, route.d);
        if (refusal !== undefined) {
          countPushAuthorization('refused_policy');
          await refusePush(req, res, refusal);
          return true;
        }
      }
      return lifecycle.handleGit(req, res);
    },
  };
  watchBlacklistChanges(lists, rawStore, log);
  lists.start();
  const startBackground = async (): Promise<Background> => {
    const bg = await startBackgroundTasks({ config, store, purgatory, ingest, relay, lifecycle, world, log, now });
    status.attachFetcher(bg.gitSync.fetcher);
    const sync = bg.sync;
    if (sync) {
      status.attachSync({
        relays: () => relayStatuses(sync.state, (url) => sync.stats.get(url), now()),
        repoSync: (owner, d) => repoSyncCoverage(sync.state, owner, d),
        resync: (url) => Promise.resolve(sync.resync(url)),
      });
    }
    return bg;
  };
  // with a shared database, events other instances saved reach this instance's subscribers, and only the
  // instance holding the leadership runs the background work
  let background: Background | undefined;
  let leadership: Leadership | undefined;
  let peers: PeerEvents | undefined;
  if (cluster) {
    const pgStore = cluster.store;
    peers = await PeerEvents.start(cluster.url, store, (id) => pgStore.takeSavedHere(id), (e) => {
      subscriptions.broadcast(e, JSON.stringify(e));
      void ingest.acceptedElsewhere(e, true);
    }, log);
    cluster.purgatory.onAddedElsewhere((entry) => void ingest.acceptedElsewhere(entry.event, false));
    leadership = await runForLeader(cluster.url, config.clusterLeaderCheckMs, log, async () => {
      const bg = await startBackground();
      background = bg;
      return async () => {
        if (background === bg) background = undefined;
        await bg.stop();
      };
    });
  } else {
    background = await startBackground();
  }
  log.info({ host: config.host, port, domain: config.domain, dataDir: config.dataDir, version: VERSION }, 'graspd listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${config.host}:${port}`,
    relayUrl: `ws://${config.host}:${port}`,
    config,
    store,
    ingest,
    relay,
    close: () =>
      (closing ??= (async () => {
        lists.stop();
        grasp06?.stop();
        await leadership?.stop();
        await background?.stop();
        await peers?.close();
        relay.closeAll();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await lifecycle.close();
        await verifier.close();
        await purgatory.close();
        await cluster?.repoLocks.close();
        await store.close();
      })()),
  };
}
