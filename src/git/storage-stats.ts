// What a bare repo's object storage looks like on disk (issue 11): loose objects, packs, bytes, and
// whether the serving aids (multi-pack-index, bitmap, commit-graph) exist. Read from the file system only,
// no git process: cheap enough for a sweep over every hosted repo. Files vanish while git repacks; a
// missing file counts as absent.
import { dirBytes } from './dir-bytes.js';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { prom, registry } from '../metrics/registry.js';

export interface RepoStorage {
  looseObjects: number;
  /** packs that are not cruft packs (cruft packs hold unreachable objects waiting for expiry) */
  packs: number;
  cruftPacks: number;
  midx: boolean;
  bitmap: boolean;
  commitGraph: boolean;
  /** the lines of objects/info/alternates (another object store this repo borrows from) */
  alternates: string[];
  /** every file under the repo directory */
  bytes: number;
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}


export async function repoStorage(dir: string): Promise<RepoStorage> {
  const objects = join(dir, 'objects');
  let looseObjects = 0;
  for (const sub of await names(objects)) {
    if (/^[0-9a-f]{2}$/.test(sub)) looseObjects += (await names(join(objects, sub))).filter((n) => /^[0-9a-f]{38}$/.test(n)).length;
  }
  const pack = await names(join(objects, 'pack'));
  const set = new Set(pack);
  const packNames = pack.filter((n) => n.endsWith('.pack'));
  const cruftPacks = packNames.filter((n) => set.has(n.replace(/\.pack$/, '.mtimes'))).length;
  const info = await names(join(objects, 'info'));
  const alternates = await readFile(join(objects, 'info', 'alternates'), 'utf8').then(
    (s) => s.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')),
    () => [],
  );
  return {
    looseObjects,
    packs: packNames.length - cruftPacks,
    cruftPacks,
    midx: set.has('multi-pack-index'),
    bitmap: pack.some((n) => n.endsWith('.bitmap')),
    commitGraph: info.includes('commit-graph') || info.includes('commit-graphs'),
    alternates,
    bytes: await dirBytes(dir),
  };
}

export const storageMetrics = {
  runs: new prom.Counter({ name: 'graspd_git_maintenance_runs_total', help: 'git maintenance runs by outcome (ok, failed, skipped)', labelNames: ['outcome'], registers: [registry] }),
  duration: new prom.Histogram({
    name: 'graspd_git_maintenance_duration_seconds', help: 'duration of one git maintenance run (one repo, lock held)',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [registry],
  }),
  repos: new prom.Gauge({ name: 'graspd_git_repos', help: 'hosted git repos seen by the last maintenance sweep', registers: [registry] }),
  loose: new prom.Gauge({ name: 'graspd_git_loose_objects', help: 'loose objects over all hosted repos and pools', registers: [registry] }),
  packs: new prom.Gauge({ name: 'graspd_git_packs', help: 'packs (not cruft) over all hosted repos and pools', registers: [registry] }),
  maxPacks: new prom.Gauge({ name: 'graspd_git_packs_per_repo_max', help: 'largest number of packs (not cruft) in one repo', registers: [registry] }),
  bytes: new prom.Gauge({ name: 'graspd_git_disk_bytes', help: 'bytes on disk of all hosted repos and object pools', registers: [registry] }),
  pools: new prom.Gauge({ name: 'graspd_git_object_pools', help: 'object pools (shared object stores of repository networks)', registers: [registry] }),
  poolMembers: new prom.Gauge({ name: 'graspd_git_object_pool_members', help: 'repos borrowing objects from a pool', registers: [registry] }),
};

/** Sets the aggregate gauges from the latest stats of every repo (no per-repo labels: repos are unbounded). */
export function publishStorageGauges(all: ReadonlyMap<string, RepoStorage>, pools: number): void {
  let loose = 0, packs = 0, maxPacks = 0, bytes = 0, members = 0;
  for (const s of all.values()) {
    loose += s.looseObjects;
    packs += s.packs;
    maxPacks = Math.max(maxPacks, s.packs);
    bytes += s.bytes;
    if (s.alternates.length > 0) members++;
  }
  storageMetrics.repos.set(all.size - pools);
  storageMetrics.loose.set(loose);
  storageMetrics.packs.set(packs);
  storageMetrics.maxPacks.set(maxPacks);
  storageMetrics.bytes.set(bytes);
  storageMetrics.pools.set(pools);
  storageMetrics.poolMembers.set(members);
}
