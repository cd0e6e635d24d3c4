// GRASP-01 event acceptance as one function (GRASP.md "Which events are accepted", "Purgatory"): the
// kind-specific hooks run in order and the first decision wins; the related-event rule decides the rest.
// Generic limits (limits.ts) are run by the relay before this, or prepended via `extraHooks`.
import type { Admission } from '../relay/admission.js';
import { admitAnnouncement } from './announcement.js';
import { admitDeletion } from './deletion.js';
import { admitPullRequest } from './pull-request.js';
import { admitRelated } from './related.js';
import { admitState } from './state.js';
import type { AdmitHook, GraspPolicy } from './types.js';

export const GRASP_HOOKS: readonly AdmitHook[] = [admitAnnouncement, admitState, admitDeletion, admitPullRequest, admitRelated];

const NO_DECISION: Admission = { type: 'reject', reason: 'blocked: no policy accepted this event' };

export function composeHooks(hooks: readonly AdmitHook[]): GraspPolicy {
  return async (event, ctx, world) => {
    for (const hook of hooks) {
      const decision = await hook(event, ctx, world);
      if (decision !== undefined) return decision;
    }
    return NO_DECISION;
  };
}

export function createGraspPolicy(opts: { extraHooks?: readonly AdmitHook[] } = {}): GraspPolicy {
  return composeHooks([...(opts.extraHooks ?? []), ...GRASP_HOOKS]);
}

export { admitAnnouncement, admitDeletion, admitPullRequest, admitRelated, admitState };
export { purgatoryIdsDeletedBy } from './deletion.js';
export { maintainerSet, authorisingOwners } from './maintainers.js';
export { AWAITING_GIT_DATA } from './announcement.js';
export { COMMITS_MISSING } from './state.js';
