// `refs/nostr/<id>` pushed before their PR event is known (GRASP.md "Pushes": provisional refs are bounded per
// repository and per client address): they and their objects wait apart, in a provisional repository beside
// the real one (its objects/info/alternates points at the real repo, so thin packs resolve), never mixed into
// the repository people clone. When the event arrives and its `c` matches, the tip's objects move in and the ref
// is created there; when it never comes, the provisional repository is deleted with everything in it.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as cli from './git-cli.js';
import { repoDir } from './repo-paths.js';

/** Provisional refs one repository may hold at once. */
export const MAX_PROVISIONAL_PER_REPO = 32;
/** Provisional refs one client address may create within the expiry window. */
export const MAX_PROVISIONAL_PER_ADDRESS = 64;

export function provisionalRoot(dataDir: string): string {
  return join(dataDir, 'provisional');
}

export function provisionalDir(dataDir: string, ownerPubkey: string, d: string): string {
  return repoDir(provisionalRoot(dataDir), ownerPubkey, d);
}

export function isRepo(dir: string): boolean {
  return existsSync(join(dir, 'HEAD'));
}

/** Creates the provisional repository of `mainDir` (objects borrowed from it) if missing. */
export async function ensureProvisionalRepo(dir: string, mainDir: string): Promise<void> {
  if (isRepo(dir)) return;
  mkdirSync(dirname(dir), { recursive: true });
  await cli.initBareRepo(dir);
  mkdirSync(join(dir, 'objects', 'info'), { recursive: true });
  writeFileSync(join(dir, 'objects', 'info', 'alternates'), join(mainDir, 'objects') + '\n');
}

/** Every provisional repository (for the expiry sweep). */
export function listProvisionalRepos(dataDir: string): string[] {
  const root = join(provisionalRoot(dataDir), 'repos');
  const entries = (p: string): string[] => {
    try {
      return readdirSync(p);
    } catch {
      return [];
    }
  };
  const out: string[] = [];
  for (const owner of entries(root)) for (const name of entries(join(root, owner))) if (isRepo(join(root, owner, name))) out.push(join(root, owner, name));
  return out;
}

export async function removeIfEmpty(dir: string): Promise<void> {
  if (isRepo(dir) && (await cli.listRefs(dir)).size === 0) rmSync(dir, { recursive: true, force: true });
}

/** Provisional refs created per client address within a sliding window (pure bookkeeping with a clock). */
export class AddressBudget {
  readonly #seen = new Map<string, number[]>();

  constructor(private readonly max: number, private readonly windowMs: number) {}

  /** How many more refs `address` may create at `now`. */
  remaining(address: string, now: number): number {
    return Math.max(0, this.max - this.#recent(address, now).length);
  }

  record(address: string, count: number, now: number): void {
    const times = this.#recent(address, now);
    for (let i = 0; i < count; i++) times.push(now);
    this.#seen.set(address, times);
  }

  #recent(address: string, now: number): number[] {
    const times = (this.#seen.get(address) ?? []).filter((t) => now - t < this.windowMs);
    if (times.length === 0) this.#seen.delete(address);
    else this.#seen.set(address, times);
    return times;
  }
}
