// What GRASP-01 policy functions need to know about the world. Plain interfaces; tests pass plain fakes.
import type { NostrEvent, NostrFilter, Reason } from '../nostr/types.js';
import type { Admission, EventCtx } from '../relay/admission.js';

/** Questions the policy asks of purgatory: by id, at an address (`kind:pubkey:d`), with an identifier. */
export interface HeldQuery {
  ids?: readonly string[];
  addresses?: readonly string[];
  identifier?: { d: string; kinds: readonly number[] };
  /** held events that reference one of these ids or coordinates */
  referencing?: readonly string[];
}

export interface PolicyWorld {
  /** public host[:port] of this service, lower-case */
  domain: string;
  /** served (stored) events */
  query(filters: NostrFilter[]): Promise<NostrEvent[]>;
  /** live purgatory events found through its index (the union of the questions asked; never a full scan) */
  purgatoryLookup(q: HeldQuery): NostrEvent[];
  /** git knowledge (issue 3): do all these commit oids exist in the repo of (owner pubkey, d)? */
  hasCommits(ownerPubkey: string, d: string, oids: string[]): Promise<boolean>;
  now(): number;
}

/** A policy step: undefined = no opinion (next step decides). */
export type AdmitHook = (event: NostrEvent, ctx: EventCtx, world: PolicyWorld) => Promise<Admission | undefined> | Admission | undefined;

/** A generic check run before GRASP rules (size, time): a NIP-01 reason rejects, undefined passes. `now` in ms. */
export type RejectEventHook = (event: NostrEvent, now: number) => Reason | undefined;

/** The composed GRASP-01 policy: always decides. */
export type GraspPolicy = (event: NostrEvent, ctx: EventCtx, world: PolicyWorld) => Promise<Admission>;
