// Wiring of git storage maintenance (issue 11): GitMaintenance with the options, the per-repo lock of
// GitService, changed repos reported by GitService, and the repository networks for object pools computed
// from the announcements (served and purgatory) of the hosted repos.
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import type { NostrEvent } from '../nostr/types.js';
import { KIND_REPO_ANNOUNCEMENT } from '../nostr/kinds.js';
import { listsService, parseAnnouncement } from '../nostr/nip34.js';
import { maintainerSet } from '../policy/maintainers.js';
import type { Purgatory } from '../purgatory/types.js';
import type { EventStore } from '../store/types.js';
import { GitMaintenance } from '../git/maintenance.js';
import { effectiveGraceMs } from '../git/maintenance-plan.js';
import { networkGroups, type NetworkRepo } from '../git/repo-network.js';
import type { RepoLifecycle } from './repo-lifecycle.js';

export interface StorageDeps {
  config: Config;
  store: EventStore;
  purgatory: Purgatory;
  lifecycle: RepoLifecycle;
  log: Logger;
  now: () => number;
}

const ALL = 1_000_000;

export function startStorageMaintenance(deps: StorageDeps): GitMaintenance {
  const { config, lifecycle } = deps;
  const git = lifecycle.git;
  const m = new GitMaintenance({
    dataDir: config.dataDir,
    log: deps.log.child({ component: 'git-maintenance' }),
    withRepoLock: (dir, fn) => git.withRepoLock(dir, fn),
    intervalMs: config.gitMaintenanceIntervalMs,
    debounceMs: config.gitMaintenanceDebounceMs,
    concurrency: config.gitMaintenanceConcurrency,
    graceMs: effectiveGraceMs(config.gitPruneGraceMs, config.purgatoryExpiryMs),
    timeoutMs: Math.max(config.gitTimeoutMs, 600_000),
    now: deps.now,
    ...(config.gitObjectPools ? { networkOf: (dirs: readonly string[]) => hostedNetworks(deps, dirs) } : {}),
  });
  git.onRepoChanged((dir) => m.touch(dir));
  m.start();
  return m;
}

/** The hosted repos among `dirs` grouped into networks (see repo-network.ts). */
export async function hostedNetworks(deps: StorageDeps, dirs: readonly string[]): Promise<string[][]> {
  const { store, purgatory, lifecycle, config } = deps;
  const wanted = new Set(dirs);
  const anns: NostrEvent[] = [
    ...(await store.query([{ kinds: [KIND_REPO_ANNOUNCEMENT] }], { maxLimit: ALL })),
    ...purgatory.list(deps.now(), { kinds: [KIND_REPO_ANNOUNCEMENT] }).map((e) => e.event),
  ];
  const byD = new Map<string, NostrEvent[]>();
  for (const e of anns) {
    const d = parseAnnouncement(e).d;
    byD.set(d, [...(byD.get(d) ?? []), e]);
  }
  const repos = new Map<string, NetworkRepo>();
  for (const e of anns) {
    const a = parseAnnouncement(e);
    if (a.d === '' || !listsService(a, config.domain)) continue;
    let dir: string;
    try { dir = lifecycle.git.repoDir(a.pubkey, a.d); } catch { continue; }
    if (!wanted.has(dir) || repos.has(dir)) continue;
    const forD = byD.get(a.d) ?? [];
    const newest = forD.filter((x) => x.pubkey === a.pubkey).sort((x, y) => y.created_at - x.created_at)[0] ?? e;
    const euc = newest.tags.find((t) => t[0] === 'r' && t[2] === 'euc' && /^[0-9a-f]{40}$/.test(t[1] ?? ''))?.[1];
    const verified = euc !== undefined && (await lifecycle.git.hasCommits(a.pubkey, a.d, [euc])) ? euc : undefined;
    repos.set(dir, { id: dir, d: a.d, maintainers: [...maintainerSet(a.pubkey, a.d, forD)], ...(verified ? { euc: verified } : {}) });
  }
  return networkGroups([...repos.values()]);
}
