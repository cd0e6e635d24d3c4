// Wiring of the quotas: facts for the announcement quotas from the store and purgatory, the push guard
// (archive read-only, free disk, repository size) in front of git, and refusals by quota on /metrics.
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/load.js';
import { prom, registry } from '../metrics/registry.js';
import { KIND_REPO_ANNOUNCEMENT } from '../nostr/kinds.js';
import { identifierOf } from '../nostr/nip34.js';
import type { Purgatory } from '../purgatory/types.js';
import type { EventStore } from '../store/types.js';
import type { QuotaFacts, QuotaLimits, QuotaName } from '../policy/quotas.js';
import { ARCHIVE_READ_ONLY } from '../policy/archive.js';
import { directoryBytes } from './disk.js';

const refusals = new prom.Counter({ name: 'graspd_quota_refusals_total', help: 'announcements and pushes refused by a quota, by quota', labelNames: ['quota'], registers: [registry] });

export function countQuotaRefusal(quota: QuotaName | 'repo-bytes' | 'archive-read-only'): void {
  refusals.inc({ quota });
}

export function quotaLimits(config: Config): QuotaLimits {
  return {
    maxReposPerAuthor: config.maxReposPerAuthor,
    maxPurgatoryReposPerAuthor: config.maxPurgatoryReposPerAuthor,
    maxPurgatoryRepos: config.maxPurgatoryRepos,
    minFreeDiskBytes: config.minFreeDiskBytes,
  };
}

export function quotaFacts(store: EventStore, purgatory: Purgatory, now: () => number, freeDisk: () => number): (author: string) => Promise<QuotaFacts> {
  return async (author) => {
    const served = await store.query([{ kinds: [KIND_REPO_ANNOUNCEMENT], authors: [author] }], { maxLimit: 1_000_000 });
    const heldAll = purgatory.list(now(), { kinds: [KIND_REPO_ANNOUNCEMENT] });
    const heldKeys = new Set(heldAll.map((e) => `${e.event.pubkey}\0${identifierOf(e.event)}`));
    return {
      served: new Set(served.map(identifierOf)),
      held: new Set(heldAll.filter((e) => e.event.pubkey === author).map((e) => identifierOf(e.event))),
      totalHeld: heldKeys.size,
      heldKeys,
      freeDiskBytes: freeDisk(),
    };
  };
}

export interface PushGuardDeps {
  config: Pick<Config, 'archiveReadOnly' | 'minFreeDiskBytes' | 'maxRepoBytes'>;
  freeDisk: () => number;
  isArchived: (owner: string, d: string) => Promise<boolean>;
  repoDir: (owner: string, d: string) => string;
}

/** Why a push to (owner, d) is refused before git runs, or undefined. */
export async function pushRefusal(deps: PushGuardDeps, req: IncomingMessage, owner: string, d: string): Promise<string | undefined> {
  if (deps.config.archiveReadOnly && (await deps.isArchived(owner, d))) {
    countQuotaRefusal('archive-read-only');
    return ARCHIVE_READ_ONLY;
  }
  if (deps.freeDisk() < deps.config.minFreeDiskBytes) {
    countQuotaRefusal('free-disk');
    return 'this server is low on disk space: pushes are refused for now';
  }
  const incoming = Number(req.headers['content-length'] ?? 0) || 0;
  const size = directoryBytes(deps.repoDir(owner, d));
  if (size + incoming > deps.config.maxRepoBytes) {
    countQuotaRefusal('repo-bytes');
    return `repository size limit reached (${deps.config.maxRepoBytes} bytes on disk per repository here)`;
  }
  return undefined;
}
