// Which git maintenance commands one repo needs now (issue 11), pure. Three roles:
// - plain: a repo with its own object store;
// - member: a repo borrowing from its network's object pool (objects/info/alternates): every repack is
//   local (-l) so objects the pool has are not kept twice, and no bitmap (a bitmap needs every reachable
//   object in the bitmapped packs; the pool's bitmap serves the shared history);
// - pool: the shared store of a network; it is never pruned (members' objects may live only there), so its
//   full repack keeps unreachable objects (cruft pack that never expires).
// Unreachable objects are dropped only by a full repack (into a cruft pack with per-object mtimes,
// expired after the grace period) and `git prune` (loose ones older than the grace period). Geometric
// repacks never look at reachability, so pushes in flight and gitfetch landings are never lost.
import type { RepoStorage } from './storage-stats.js';

export type Role = 'plain' | 'member' | 'pool';
export type StepKind = 'geometric' | 'full' | 'commit-graph' | 'prune';

export interface PlanInput {
  storage: RepoStorage;
  role: Role;
  /** the periodic sweep asks for a full repack (see fullRepackDue) */
  full: boolean;
  /** refs or objects changed since the last run (push, fetch, alignment) */
  changed: boolean;
}

export function planSteps(p: PlanInput): StepKind[] {
  const s = p.storage;
  const steps: StepKind[] = [];
  const hasObjects = s.looseObjects + s.packs + s.cruftPacks > 0;
  if (!hasObjects) return steps;
  const wantBitmap = p.role !== 'member';
  if (p.full) steps.push('full');
  else if (s.looseObjects > 0 || s.packs > 1 || (s.packs === 1 && (!s.midx || (wantBitmap && !s.bitmap)))) steps.push('geometric');
  if (p.changed || p.full || !s.commitGraph) steps.push('commit-graph');
  if (p.full && p.role !== 'pool') steps.push('prune');
  return steps;
}

/** A full repack (and prune) is due once per grace period: expiring objects more often gains nothing. */
export function fullRepackDue(lastFullAt: number | undefined, now: number, graceMs: number): boolean {
  return lastFullAt === undefined || now - lastFullAt >= graceMs;
}

/** The grace period actually used: never shorter than the purgatory expiry (a waiting state may need old objects). */
export function effectiveGraceMs(pruneGraceMs: number, purgatoryExpiryMs: number): number {
  return Math.max(pruneGraceMs, purgatoryExpiryMs);
}

/** `git` arguments (after `--git-dir <dir>`) for one step; expireAt is a unix time in seconds. */
export function stepArgs(step: StepKind, role: Role, expireAt: number): string[] {
  const local = role === 'member' ? ['-l'] : [];
  const bitmap = role === 'member' ? [] : ['--write-bitmap-index'];
  const expire = role === 'pool' ? 'never' : `@${Math.floor(expireAt)}`;
  switch (step) {
    case 'geometric':
      return ['repack', '-d', '-q', ...local, '--geometric=2', '--write-midx', ...bitmap];
    case 'full':
      return ['repack', '-d', '-q', ...local, '--cruft', `--cruft-expiration=${expire}`, '--write-midx', ...bitmap];
    case 'commit-graph':
      return ['commit-graph', 'write', '--reachable', '--no-progress'];
    case 'prune':
      return ['prune', `--expire=@${Math.floor(expireAt)}`];
  }
}

/**
 * When a debounced run starts: the first change arms the timer, later changes do not push it back (a repo
 * pushed to continuously is still maintained every debounceMs).
 */
export function debounceDeadline(armedAt: number | undefined, now: number, debounceMs: number): { deadline: number; arm: boolean } {
  if (armedAt !== undefined) return { deadline: armedAt + debounceMs, arm: false };
  return { deadline: now + debounceMs, arm: true };
}
