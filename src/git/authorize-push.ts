// GRASP-01 push authorisation (grasp-requirements.md 3.8, 3.10, 5.1), pure.
// heads/tags: after the push they must EXACTLY equal the newest authorised state (never an older one), so a
// deletion is fine when the state omits the branch. refs/nostr/<64-hex>: provisional unless the
// PR event is known, then the tip must be its `c`. Anything else is refused. Whole push or nothing.
import { type AuthorisedState, ZERO_OID, isHeadOrTag } from './state-refs.js';

export interface RefUpdate {
  ref: string;
  old: string;
  new: string;
}

export interface PushRequest {
  /** every ref currently in the repository → oid */
  current: ReadonlyMap<string, string>;
  updates: readonly RefUpdate[];
  /** authorised states, newest first */
  states: readonly AuthorisedState[];
  /** known PR / PR-update events by id → their `c` tip (undefined when the event has no valid `c`) */
  prTips: ReadonlyMap<string, string | undefined>;
}

export type PushDecision =
  | { type: 'accept'; state?: AuthorisedState; prRefs: Array<{ eventId: string; oid: string }> }
  | { type: 'reject'; reason: string };

const NOSTR_PREFIX = 'refs/nostr/';
const EVENT_ID = /^[0-9a-f]{64}$/;

const short = (oid: string): string => oid.slice(0, 7);
const reject = (reason: string): PushDecision => ({ type: 'reject', reason });

export function authorizePush(req: PushRequest): PushDecision {
  const prRefs: Array<{ eventId: string; oid: string }> = [];
  let touchesHeadsOrTags = false;
  for (const u of req.updates) {
    if ((req.current.get(u.ref) ?? ZERO_OID) !== u.old) {
      return reject(`${u.ref} changed on the server since you fetched; fetch and try again`);
    }
    if (isHeadOrTag(u.ref)) {
      touchesHeadsOrTags = true;
      continue;
    }
    if (!u.ref.startsWith(NOSTR_PREFIX)) {
      return reject(`${u.ref} cannot be pushed here: only refs/heads/*, refs/tags/* and refs/nostr/<event-id>`);
    }
    const r = checkNostrRef(u, req.prTips);
    if (typeof r === 'string') return reject(r);
    prRefs.push(r);
  }
  if (!touchesHeadsOrTags) return { type: 'accept', prRefs };
  return matchState(req, prRefs);
}

function checkNostrRef(u: RefUpdate, prTips: PushRequest['prTips']): { eventId: string; oid: string } | string {
  const eventId = u.ref.slice(NOSTR_PREFIX.length);
  if (!EVENT_ID.test(eventId)) return `${u.ref}: not a valid event id (64 lowercase hex)`;
  if (u.new === ZERO_OID) return `${u.ref} cannot be deleted by a push`;
  if (prTips.has(eventId)) {
    const tip = prTips.get(eventId);
    if (tip === undefined) return `PR event ${short(eventId)} has no valid c tag`;
    if (tip !== u.new) return `${u.ref} must be ${short(tip)} (the c tag of PR event ${short(eventId)}), not ${short(u.new)}`;
  }
  return { eventId, oid: u.new };
}

/** heads and tags of the repo once the updates are applied */
export function refsAfterPush(current: ReadonlyMap<string, string>, updates: readonly RefUpdate[]): Map<string, string> {
  const after = new Map<string, string>();
  for (const [ref, oid] of current) if (isHeadOrTag(ref)) after.set(ref, oid);
  for (const u of updates) {
    if (!isHeadOrTag(u.ref)) continue;
    if (u.new === ZERO_OID) after.delete(u.ref);
    else after.set(u.ref, u.new);
  }
  return after;
}

export function sameRefs(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [ref, oid] of a) if (b.get(ref) !== oid) return false;
  return true;
}

function matchState(req: PushRequest, prRefs: Array<{ eventId: string; oid: string }>): PushDecision {
  const newest = req.states[0];
  if (newest === undefined) {
    return reject('no authorised repo state event (kind 30618) for this repository; publish one before pushing');
  }
  // only the newest state of the maintainer set authorises: an older one (a replay, or a state another
  // maintainer has since replaced) would let anyone holding a copy roll the repository back
  const after = refsAfterPush(req.current, req.updates);
  if (sameRefs(after, newest.refs)) return { type: 'accept', state: newest, prRefs };
  return reject(`refs do not match the latest state event ${short(newest.id)}: ${firstDifference(after, newest.refs)}`);
}

function firstDifference(after: ReadonlyMap<string, string>, want: ReadonlyMap<string, string>): string {
  for (const [ref, oid] of after) {
    const w = want.get(ref);
    if (w === undefined) return `${ref} is not in the state`;
    if (w !== oid) return `${ref} would be ${short(oid)} but the state says ${short(w)}`;
  }
  for (const ref of want.keys()) if (!after.has(ref)) return `${ref} is missing (the state lists it); push it too`;
  return 'no difference';
}
