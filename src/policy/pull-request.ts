// GRASP-01 PRs (1618) and PR updates (1619), GRASP.md "Which events are accepted" and "Purgatory": the
// related-event rule decides acceptance; then the `c` tip commit decides store (present in a repo the PR
// names, or in a repo of the same `d` related to a named one through a maintainer set) or purgatory.
import { KIND_PR, KIND_PR_UPDATE } from '../nostr/kinds.js';
import { parsePullRequest, type Coordinate } from '../nostr/nip34.js';
import type { Admission } from '../relay/admission.js';
import { acceptedByIds, announcementsFor } from './lookups.js';
import { latestAnnouncementsByAuthor, maintainerSet } from './maintainers.js';
import { isRelated, ORPHAN } from './related.js';
import type { AdmitHook, PolicyWorld } from './types.js';

const HEX_OID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** A PR update without `a` tags names its repos through the PR it updates. */
async function namedRepos(world: PolicyWorld, repos: Coordinate[], root: string | undefined): Promise<Coordinate[]> {
  if (repos.length > 0 || root === undefined) return repos;
  const [pr] = await acceptedByIds(world, [root]);
  return pr ? parsePullRequest(pr).repos : [];
}

/** (owner, d) pairs whose repo may hold the PR's commits, named ones first. */
export async function candidateRepos(world: PolicyWorld, repos: Coordinate[]): Promise<Array<{ owner: string; d: string }>> {
  const out = new Map<string, { owner: string; d: string }>();
  for (const r of repos) out.set(`${r.pubkey}:${r.d}`, { owner: r.pubkey, d: r.d });
  for (const d of new Set(repos.map((r) => r.d))) {
    const anns = await announcementsFor(world, d);
    const named = repos.filter((r) => r.d === d).map((r) => r.pubkey);
    const namedSets = named.map((pk) => maintainerSet(pk, d, anns));
    for (const owner of latestAnnouncementsByAuthor(d, anns).keys()) {
      const set = maintainerSet(owner, d, anns);
      const related = named.some((pk) => set.has(pk)) || namedSets.some((s) => s.has(owner));
      if (related) out.set(`${owner}:${d}`, { owner, d });
    }
  }
  return [...out.values()];
}

export const admitPullRequest: AdmitHook = async (event, _ctx, world): Promise<Admission | undefined> => {
  if (event.kind !== KIND_PR && event.kind !== KIND_PR_UPDATE) return undefined;
  const pr = parsePullRequest(event);
  if (pr.commit === undefined || !HEX_OID.test(pr.commit)) {
    return { type: 'reject', reason: 'invalid: PR needs a c tag with the tip commit id' };
  }
  if (!(await isRelated(event, world))) return ORPHAN;
  const repos = await namedRepos(world, pr.repos, pr.root);
  for (const { owner, d } of await candidateRepos(world, repos)) {
    if (await world.hasCommits(owner, d, [pr.commit])) return { type: 'store' };
  }
  return { type: 'purgatory', reason: `commit ${pr.commit} missing` };
};
