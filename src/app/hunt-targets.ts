import type { Config } from '../config/load.js';
// GRASP.md "Git data sync", the pure half of the wiring: which hosted repo a purgatory event's data is
// fetched into, which announcements' clone URLs are candidates, which URLs are this very service, and
// how the fetch scheduler's backoff scales with --gitfetch-delay-ms. No I/O; callers pass what they know.
import type { NostrEvent } from '../nostr/types.js';
import { authorisingOwners, latestAnnouncementsByAuthor, maintainerSet } from '../policy/maintainers.js';
import type { SchedulerLimits } from '../gitfetch/scheduler.js';

/** Matches clone URLs of this service: same host name and port as `domain` (host[:port]), case-insensitive. */
export function ownUrlMatcher(domain: string): (url: string) => boolean {
  let host: string;
  let port: string;
  try {
    const own = new URL(`http://${domain}`);
    host = own.hostname.toLowerCase();
    // URL drops :80 for http; keep what the operator wrote so https://host:80 still compares right
    port = /:(\d+)$/.exec(domain)?.[1] ?? '';
  } catch {
    return () => false;
  }
  return (url) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    if (u.hostname.toLowerCase() !== host) return false;
    if (port === '') return u.port === '';
    const effective = u.port !== '' ? u.port : u.protocol === 'https:' ? '443' : '80';
    return effective === port;
  };
}

/** Owners whose repo a state by `author` governs, the author's own first. */
export function stateOwners(author: string, d: string, announcements: readonly NostrEvent[]): string[] {
  const owners = authorisingOwners(author, d, announcements);
  return owners.sort((a, b) => Number(b === author) - Number(a === author));
}

/** Latest announcement of every member of owner's maintainer set for `d`, the owner's first. */
export function targetAnnouncements(owner: string, d: string, announcements: readonly NostrEvent[]): NostrEvent[] {
  const set = maintainerSet(owner, d, announcements);
  const latest = latestAnnouncementsByAuthor(d, announcements);
  const out: NostrEvent[] = [];
  const own = latest.get(owner);
  if (own) out.push(own.event);
  for (const [pk, a] of latest) if (pk !== owner && set.has(pk)) out.push(a.event);
  return out;
}

/**
 * Scheduler timings derived from the sync delay: the default 500 ms gives the module's defaults (20 s
 * backoff base, 2 min cap, 10 min parking); a test's small delay shrinks them (never below 1 s base).
 */
export function schedulerLimits(config: Pick<Config, 'gitfetchBackoffBaseMs' | 'gitfetchBackoffMaxMs' | 'gitfetchParkMs'>): Partial<SchedulerLimits> {
  return {
    backoffBaseMs: config.gitfetchBackoffBaseMs,
    backoffMaxMs: config.gitfetchBackoffMaxMs,
    parkMs: config.gitfetchParkMs,
    parkMaxMs: config.gitfetchParkMs * 6,
  };
}

/** Scheduler tick: as fine as the sync delay, between 100 ms and 1 s. */
export function tickMs(gitfetchDelayMs: number): number {
  return Math.min(1_000, Math.max(100, gitfetchDelayMs));
}
