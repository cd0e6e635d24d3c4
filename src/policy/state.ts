// GRASP-01 repo states (30618), GRASP.md "Which events are accepted" and "Purgatory": accepted when an
// announcement for its `d` is here (served or in purgatory) whose owner's recursive maintainer set holds
// the author. Stored at once when some such owner's repo already has every ref oid, else purgatory.
import { KIND_REPO_STATE } from '../nostr/kinds.js';
import { parseState } from '../nostr/nip34.js';
import type { Admission } from '../relay/admission.js';
import { announcementsFor } from './lookups.js';
import { authorisingOwners } from './maintainers.js';
import type { AdmitHook } from './types.js';

export const COMMITS_MISSING = 'commits missing';

export const admitState: AdmitHook = async (event, _ctx, world): Promise<Admission | undefined> => {
  if (event.kind !== KIND_REPO_STATE) return undefined;
  const state = parseState(event);
  if (state.d === '') return { type: 'reject', reason: 'invalid: state needs a non-empty d tag' };

  const announcements = await announcementsFor(world, state.d);
  if (announcements.length === 0) {
    return { type: 'reject', reason: `blocked: no repository announcement for "${state.d}" here`, missingDependency: true };
  }
  const owners = authorisingOwners(state.pubkey, state.d, announcements);
  if (owners.length === 0) {
    return { type: 'reject', reason: `blocked: author is not a maintainer of any repository "${state.d}" here` };
  }
  const oids = [...new Set(state.refs.values())];
  for (const owner of owners) {
    if (await world.hasCommits(owner, state.d, oids)) return { type: 'store' };
  }
  return { type: 'purgatory', reason: COMMITS_MISSING };
};
