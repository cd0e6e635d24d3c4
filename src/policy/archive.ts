// GRASP-05 archive mode (issue 10; grasp-requirements.md §7.1), pure: which announcements that do not list this
// service are still hosted here as archives (a whitelist, or all of them), and the policy step that accepts them
// like a new repository (purgatory until their git data arrives from their own clone URLs).
import { KIND_REPO_ANNOUNCEMENT } from '../nostr/kinds.js';
import { listsService, parseAnnouncement, type RepoAnnouncement } from '../nostr/nip34.js';
import type { Admission } from '../relay/admission.js';
import { AWAITING_GIT_DATA, admitAnnouncement } from './announcement.js';
import { entryMatches, type RepoEntry } from './lists.js';
import type { AdmitHook } from './types.js';

export interface HostingScope {
  /** public host[:port] of this service */
  domain: string;
  archiveAll: boolean;
  archiveWhitelist: readonly RepoEntry[];
  /** archived repositories refuse pushes */
  archiveReadOnly: boolean;
}

export function archiveEnabled(scope: HostingScope): boolean {
  return scope.archiveAll || scope.archiveWhitelist.length > 0;
}

/** An announcement hosted here although it does not list the service. */
export function isArchived(scope: HostingScope, ann: RepoAnnouncement): boolean {
  if (ann.d === '' || listsService(ann, scope.domain)) return false;
  return scope.archiveAll || scope.archiveWhitelist.some((e) => entryMatches(e, ann.pubkey, ann.d));
}

/** Whether this service keeps a repository (bare repo, git data sync) for the announcement. */
export function isHosted(scope: HostingScope, ann: RepoAnnouncement): boolean {
  return listsService(ann, scope.domain) || isArchived(scope, ann);
}

/**
 * Runs the GRASP-01 announcement rule first (replacements and the maintainer exception keep their meaning);
 * an announcement it would block for not listing the service is accepted as an archive when the scope says so.
 */
export function archiveHook(scope: HostingScope): AdmitHook {
  return async (event, ctx, world): Promise<Admission | undefined> => {
    if (event.kind !== KIND_REPO_ANNOUNCEMENT || !archiveEnabled(scope)) return undefined;
    const ann = parseAnnouncement(event);
    if (!isArchived(scope, ann)) return undefined;
    const base = await admitAnnouncement(event, ctx, world);
    if (base === undefined || base.type !== 'reject' || !base.reason.startsWith('blocked:')) return base;
    return { type: 'purgatory', reason: AWAITING_GIT_DATA };
  };
}

export const ARCHIVE_READ_ONLY = 'this repository is archived here (a read-only mirror): push to the servers it lists';
