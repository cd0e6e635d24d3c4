// Quotas against announcement spam (issue 10), pure: a new repository (an announcement whose (author, d) is not
// here yet) counts against the author's repositories, the author's repositories still waiting for git data
// (purgatory, each with a bare repo on disk), all repositories waiting here, and the free-disk guard.
import { KIND_REPO_ANNOUNCEMENT } from '../nostr/kinds.js';
import { identifierOf } from '../nostr/nip34.js';
import type { NostrEvent, Reason } from '../nostr/types.js';
import type { Admission, EventCtx } from '../relay/admission.js';
import type { GraspPolicy, PolicyWorld } from './types.js';

export interface QuotaLimits {
  maxReposPerAuthor: number;
  maxPurgatoryReposPerAuthor: number;
  maxPurgatoryRepos: number;
  minFreeDiskBytes: number;
}

/** What is here for one author, and for the whole server. */
export interface QuotaFacts {
  /** identifiers of the author's served announcements */
  served: ReadonlySet<string>;
  /** identifiers of the author's announcements in purgatory */
  held: ReadonlySet<string>;
  /** announcements in purgatory, all authors */
  totalHeld: number;
  freeDiskBytes: number;
}

export type QuotaName = 'repos-per-author' | 'purgatory-repos-per-author' | 'purgatory-repos' | 'free-disk';

export function newRepoRefusal(limits: QuotaLimits, facts: QuotaFacts, d: string): { quota: QuotaName; reason: Reason } | undefined {
  if (facts.served.has(d) || facts.held.has(d)) return undefined; // a replacement creates nothing new
  if (facts.freeDiskBytes < limits.minFreeDiskBytes) {
    return { quota: 'free-disk', reason: 'blocked: this server is low on disk space and accepts no new repositories for now' };
  }
  const mine = new Set([...facts.served, ...facts.held]).size;
  if (mine >= limits.maxReposPerAuthor) {
    return { quota: 'repos-per-author', reason: `blocked: quota reached: at most ${limits.maxReposPerAuthor} repositories per author here` };
  }
  if (facts.held.size >= limits.maxPurgatoryReposPerAuthor) {
    return {
      quota: 'purgatory-repos-per-author',
      reason: `blocked: quota reached: at most ${limits.maxPurgatoryReposPerAuthor} of your repositories may wait for their first push; push to one first`,
    };
  }
  if (facts.totalHeld >= limits.maxPurgatoryRepos) {
    return { quota: 'purgatory-repos', reason: 'blocked: too many new repositories are waiting for their first push here; try again later' };
  }
  return undefined;
}

/**
 * Wraps the GRASP policy: an announcement it would hold in purgatory (a new repository, which gets a bare repo)
 * is refused when a quota is reached. Everything else passes unchanged.
 */
export function withQuotas(
  policy: GraspPolicy,
  limits: QuotaLimits,
  facts: (author: string, world: PolicyWorld) => Promise<QuotaFacts>,
  onRefusal: (quota: QuotaName) => void = () => {},
): GraspPolicy {
  return async (event: NostrEvent, ctx: EventCtx, world: PolicyWorld): Promise<Admission> => {
    const decision = await policy(event, ctx, world);
    if (decision.type !== 'purgatory' || event.kind !== KIND_REPO_ANNOUNCEMENT) return decision;
    const refusal = newRepoRefusal(limits, await facts(event.pubkey, world), identifierOf(event));
    if (!refusal) return decision;
    onRefusal(refusal.quota);
    return { type: 'reject', reason: refusal.reason };
  };
}
