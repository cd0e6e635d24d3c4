// GRASP-01 "related events" (GRASP.md "Which events are accepted", grasp-requirements §4.3): an event is
// accepted when it tags an accepted event (a/A/q coordinate, e/E/q id; served or in purgatory) or when a
// served event tags it (forward reference). Orphans are blocked with missingDependency, so the sync layer
// can retry them when what they hang off arrives.
import { KIND_PR, KIND_PR_UPDATE, KIND_REPO_STATE, isAddressable, isReplaceable } from '../nostr/kinds.js';
import { coordinateOf, firstValues, identifierOf, parseCoordinate, type Coordinate } from '../nostr/nip34.js';
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import type { Admission } from '../relay/admission.js';
import { addressOfCoordinate, servedReferencesTo, servedReferencesToCoordinate } from './lookups.js';
import type { AdmitHook, PolicyWorld } from './types.js';

/** Bounds the work one event can cause (tag count is limited separately, but generously). */
const MAX_REFERENCES_CHECKED = 100;
const HEX64 = /^[0-9a-f]{64}$/;

export interface References {
  ids: string[];
  coordinates: Coordinate[];
}

/** The ids (e/E/q) and coordinates (a/A/q) an event tags, deduplicated and capped. */
export function referencesOf(event: NostrEvent): References {
  const ids = new Set<string>();
  const coords = new Map<string, Coordinate>();
  for (const name of ['e', 'E', 'q']) for (const v of firstValues(event, name)) if (HEX64.test(v)) ids.add(v);
  for (const name of ['a', 'A', 'q']) {
    for (const v of firstValues(event, name)) {
      const c = parseCoordinate(v);
      if (c) coords.set(v, c);
    }
  }
  return { ids: [...ids].slice(0, MAX_REFERENCES_CHECKED), coordinates: [...coords.values()].slice(0, MAX_REFERENCES_CHECKED) };
}

function coordinateFilter(c: Coordinate): NostrFilter {
  const f: NostrFilter = { kinds: [c.kind], authors: [c.pubkey], limit: 1 };
  if (isAddressable(c.kind)) f['#d'] = [c.d];
  return f;
}

/**
 * What the event tags: something served here (or a state/PR waiting only for its commits), only things held
 * with a repository that has no git data yet, or nothing accepted.
 */
export async function taggedStatus(event: NostrEvent, world: PolicyWorld): Promise<'served' | 'held' | 'none'> {
  const { ids, coordinates } = referencesOf(event);
  if (ids.length === 0 && coordinates.length === 0) return 'none';
  const filters: NostrFilter[] = coordinates.map(coordinateFilter);
  if (ids.length > 0) filters.push({ ids, limit: 1 });
  if ((await world.query(filters)).length > 0) return 'served';
  const held = world.purgatoryLookup({ ids, addresses: coordinates.map(addressOfCoordinate) });
  if (held.length === 0) return 'none';
  // a state or PR waits only for its commits, in a repository that is otherwise here: what hangs off it is served
  // at once; only what hangs off a repository that never got git data (or off events held with one) waits
  return held.some((e) => WAITING_FOR_COMMITS.has(e.kind)) ? 'served' : 'held';
}

const WAITING_FOR_COMMITS = new Set([KIND_REPO_STATE, KIND_PR, KIND_PR_UPDATE]);

/** True when the event tags something accepted here (served or live in purgatory). */
export async function tagsAccepted(event: NostrEvent, world: PolicyWorld): Promise<boolean> {
  return (await taggedStatus(event, world)) !== 'none';
}

/** Keys an event references (ids and coordinates), as purgatory indexes them. */
export function referenceKeys(event: NostrEvent): string[] {
  const { ids, coordinates } = referencesOf(event);
  return [...ids, ...coordinates.map(addressOfCoordinate)];
}

/** True when a served event tags this one (by id, or by coordinate for replaceable/addressable kinds). */
export async function isTaggedByServed(event: NostrEvent, world: PolicyWorld): Promise<boolean> {
  if ((await servedReferencesTo(world, event.id)).length > 0) return true;
  if (!isAddressable(event.kind) && !isReplaceable(event.kind)) return false;
  const coord = coordinateOf(event.kind, event.pubkey, isAddressable(event.kind) ? identifierOf(event) : '');
  return (await servedReferencesToCoordinate(world, coord)).length > 0;
}

export async function isRelated(event: NostrEvent, world: PolicyWorld): Promise<boolean> {
  return (await tagsAccepted(event, world)) || (await isTaggedByServed(event, world));
}

export const ORPHAN: Admission = {
  type: 'reject',
  reason: 'blocked: event must reference an accepted repository or accepted event',
  missingDependency: true,
};

/** Why an event is held: what it hangs off is itself still waiting for git data. */
export const HELD_WITH_REPOSITORY = 'held with its repository: waiting for git data';

/** Events held with one repository or root event at most: a throw-away announcement cannot collect a flood. */
export const MAX_HELD_PER_TARGET = 200;

/**
 * Catch-all: decides every event it is given. An event that only references things still in purgatory (an
 * issue on a repository that never got git data, a comment on such an issue) is held with them: served when
 * they are released, dropped when they expire — never served on its own.
 */
export const admitRelated: AdmitHook = async (event, _ctx, world): Promise<Admission> => {
  const status = await taggedStatus(event, world);
  if (status === 'served' || (await isTaggedByServed(event, world))) return { type: 'store' };
  if (status === 'none') return ORPHAN;
  if (world.purgatoryLookup({ referencing: referenceKeys(event) }).length >= MAX_HELD_PER_TARGET) {
    return { type: 'reject', reason: 'blocked: too many events are already waiting for the git data of what this one references' };
  }
  return { type: 'purgatory', reason: HELD_WITH_REPOSITORY };
};
