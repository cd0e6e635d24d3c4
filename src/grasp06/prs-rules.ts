// GRASP-06 contributor PRs (grasp-requirements.md §1.2, §7.2), pure: which `clone` URLs name this service's
// `/prs/<signer-npub>/<identifier>.git` endpoint, the acceptance relaxation for PRs that name it, and which pushes
// to `/prs/` are allowed (only `refs/nostr/<event-id>`, and the tip of a known event must be its `c`).
import { nip19 } from 'nostr-tools';
import { KIND_PR, KIND_PR_UPDATE } from '../nostr/kinds.js';
import { parsePullRequest } from '../nostr/nip34.js';
import type { NostrEvent } from '../nostr/types.js';
import type { Admission, EventCtx } from '../relay/admission.js';
import type { AdmitHook, GraspPolicy, PolicyWorld } from '../policy/types.js';
import type { RefUpdate } from '../git/authorize-push.js';

export const PRS_AWAITING = 'awaiting the PR commit at the /prs/ endpoint';
const EVENT_REF = /^refs\/nostr\/([0-9a-f]{64})$/;
const ZERO = /^0{40}$/;

/** `http(s)://<domain>/prs/<npub>/<d>.git` → (pubkey, d) when the URL names this service's /prs/ endpoint exactly. */
export function parsePrsCloneUrl(url: string, domain: string): { pubkey: string; d: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '') return undefined;
  if (u.host.toLowerCase() !== domain.toLowerCase()) return undefined;
  const m = /^\/prs\/(npub1[02-9ac-hj-np-z]+)\/([^/]+)\.git$/.exec(u.pathname);
  if (!m) return undefined;
  let pubkey: string;
  let d: string;
  try {
    const decoded = nip19.decode(m[1]!);
    if (decoded.type !== 'npub') return undefined;
    pubkey = decoded.data;
    d = decodeURIComponent(m[2]!);
  } catch {
    return undefined;
  }
  return d === '' ? undefined : { pubkey, d };
}

/** Identifiers `d` for which the event names `/prs/<its signer>/<d>.git` here and has an `a` tag `30617:<pk>:<d>`. */
export function prsIdentifiers(event: NostrEvent, domain: string): string[] {
  if (event.kind !== KIND_PR && event.kind !== KIND_PR_UPDATE) return [];
  const pr = parsePullRequest(event);
  const named = new Set(pr.repos.map((r) => r.d));
  const out = new Set<string>();
  for (const url of pr.clone) {
    const p = parsePrsCloneUrl(url, domain);
    if (p && p.pubkey === event.pubkey && named.has(p.d)) out.add(p.d);
  }
  return [...out];
}

/**
 * The relaxation: a PR or PR update that GRASP-01 would refuse for not referencing an accepted repository is
 * accepted (held until its commit is pushed to `/prs/`) when it names this service's `/prs/` endpoint for its
 * signer and one of its `a` identifiers. Without such a clone tag, GRASP-01 decides alone.
 */
export function grasp06Hook(domain: string, grasp01: GraspPolicy): AdmitHook {
  return async (event: NostrEvent, ctx: EventCtx, world: PolicyWorld): Promise<Admission | undefined> => {
    if (prsIdentifiers(event, domain).length === 0) return undefined;
    const base = await grasp01(event, ctx, world);
    if (base.type !== 'reject' || base.reason.startsWith('invalid:')) return base;
    return { type: 'purgatory', reason: PRS_AWAITING };
  };
}

/** Whether `event` may own `refs/nostr/<its id>` at `/prs/<pubkey>/<d>.git` with tip `tip`; a reason when not. */
export function prsEventMismatch(event: NostrEvent, at: { pubkey: string; d: string }, domain: string, tip: string): string | undefined {
  if (event.pubkey !== at.pubkey) return `event ${event.id.slice(0, 7)} is not signed by the npub of this /prs/ path`;
  if (!prsIdentifiers(event, domain).includes(at.d)) return `event ${event.id.slice(0, 7)} does not name this /prs/ endpoint in its clone tag`;
  const c = parsePullRequest(event).commit;
  if (c !== tip) return `refs/nostr/${event.id.slice(0, 7)} must be ${c?.slice(0, 7) ?? '(no c tag)'}, the c tag of the event, not ${tip.slice(0, 7)}`;
  return undefined;
}

/** A push to `/prs/`: only new `refs/nostr/<event-id>` refs; a known event's tip must match. Whole push or nothing. */
export function authorizePrsPush(
  updates: readonly RefUpdate[],
  known: ReadonlyMap<string, NostrEvent>,
  at: { pubkey: string; d: string },
  domain: string,
): { ok: true } | { ok: false; reason: string } {
  if (updates.length === 0) return { ok: false, reason: 'nothing to push' };
  for (const u of updates) {
    const id = EVENT_REF.exec(u.ref)?.[1];
    if (id === undefined) return { ok: false, reason: `${u.ref}: only refs/nostr/<event-id> (64 lower-case hex) can be pushed to /prs/` };
    if (ZERO.test(u.new)) return { ok: false, reason: `${u.ref} cannot be deleted by a push` };
    const event = known.get(id);
    if (event) {
      const why = prsEventMismatch(event, at, domain, u.new);
      if (why) return { ok: false, reason: why };
    }
  }
  return { ok: true };
}

export function eventIdOfRef(ref: string): string | undefined {
  return EVENT_REF.exec(ref)?.[1];
}
