// GRASP-01 repo announcements (30617), GRASP.md "Which events are accepted" and "Purgatory": an
// announcement listing this service is accepted, into purgatory when it starts a new repo, stored at once
// when it replaces a served one. Not listing us → blocked, except the maintainer exception (ngit-grasp):
// the owner or a listed maintainer of an already accepted repo with the same `d` may announce elsewhere.
import { KIND_REPO_ANNOUNCEMENT } from '../nostr/kinds.js';
import { MAX_IDENTIFIER_BYTES, isValidIdentifier, listsService, parseAnnouncement } from '../nostr/nip34.js';
import type { Admission } from '../relay/admission.js';
import { announcementsFor, hasServedAnnouncement } from './lookups.js';
import { latestAnnouncementsByAuthor } from './maintainers.js';
import type { AdmitHook } from './types.js';

export const AWAITING_GIT_DATA = 'awaiting git data';

export const admitAnnouncement: AdmitHook = async (event, _ctx, world): Promise<Admission | undefined> => {
  if (event.kind !== KIND_REPO_ANNOUNCEMENT) return undefined;
  const ann = parseAnnouncement(event);
  if (ann.d === '') return { type: 'reject', reason: 'invalid: announcement needs a non-empty d tag' };
  if (!isValidIdentifier(ann.d)) {
    return { type: 'reject', reason: `invalid: identifier must not be ".", ".." or contain "/", "\\" or NUL, and must be at most ${MAX_IDENTIFIER_BYTES} bytes` };
  }

  if (listsService(ann, world.domain)) {
    // Replacing a served announcement changes metadata of a repo whose git data is already here.
    if (await hasServedAnnouncement(world, ann.pubkey, ann.d)) return { type: 'store' };
    return { type: 'purgatory', reason: AWAITING_GIT_DATA };
  }

  // The exception: the announcement only says where else the repo lives and who maintains it, so there
  // is no git data to wait for here; it is stored at once (as ngit-grasp does). The author's own purgatory
  // announcement does not count: a repo that never got git data here is not "accepted" yet.
  if (await hasServedAnnouncement(world, ann.pubkey, ann.d)) return { type: 'store' };
  const others = latestAnnouncementsByAuthor(ann.d, await announcementsFor(world, ann.d));
  for (const [owner, other] of others) {
    if (owner !== ann.pubkey && other.maintainers.includes(ann.pubkey)) return { type: 'store' };
  }
  return {
    type: 'reject',
    reason: `blocked: announcement must list this service in both clone (http(s)://${world.domain}/<npub>/<d>.git) and relays (ws(s)://${world.domain})`,
  };
};
