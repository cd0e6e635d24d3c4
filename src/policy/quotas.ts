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
  /** `author\0d` of every repository in purgatory (to merge reservations into) */
  heldKeys: ReadonlySet<string>;
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
 * New repositories admitted but not yet in purgatory (their durable write is under way): counted with the held
 * ones, so concurrent announcements cannot overshoot a cap. A reservation lapses after `ttlMs`; by then the
 * entry is in purgatory (or was refused later and never will be).
 */
export class Reservations {
  readonly #until = new Map<string, number>();
  constructor(private readonly ttlMs = 10_000) {}
  reserve(author: string, d: string, now: number): void {
    this.#until.set(`${author}\0${d}`, now + this.ttlMs);
  }
  /** live reservations as [author, d] */
  live(now: number): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [k, until] of this.#until) {
      if (until <= now) this.#until.delete(k);
      else out.push(k.split('\0') as [string, string]);
    }
    return out;
  }
}

/** Facts plus the reservations made since they were read. */
export function withReservations(facts: QuotaFacts, author: string, reserved: ReadonlyArray<[string, string]>): QuotaFacts {
  const held = new Set(facts.held);
  const all = new Set(facts.heldKeys);
  for (const [a, d] of reserved) {
    all.add(`${a}\0${d}`);
    if (a === author && !facts.served.has(d)) held.add(d);
  }
  return { ...facts, held, heldKeys: all, totalHeld: all.size };
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
  reservations: Reservations = new Reservations(),
): GraspPolicy {
  return async (event: NostrEvent, ctx: EventCtx, world: PolicyWorld): Promise<Admission> => {
    const decision = await policy(event, ctx, world);
    if (decision.type !== 'purgatory' || event.kind !== KIND_REPO_ANNOUNCEMENT) return decision;
    const read = await facts(event.pubkey, world);
    // from here to the reservation nothing awaits: the check and the reservation are one step
    const now = world.now();
    const d = identifierOf(event);
    const refusal = newRepoRefusal(limits, withReservations(read, event.pubkey, reservations.live(now)), d);
    if (!refusal) {
      if (!read.served.has(d) && !read.held.has(d)) reservations.reserve(event.pubkey, d, now);
      return decision;
    }
    onRefusal(refusal.quota);
    return { type: 'reject', reason: refusal.reason };
  };
}
