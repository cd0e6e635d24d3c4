// Generic limits run before the GRASP-01 rules (config: --max-event-tags, --max-content-bytes,
// --max-future-seconds; NIP-11 `limitation` advertises the same values). Pure factories in the khatru
// style (`preventLargeTags(n)`): each returns a RejectEventHook; `asAdmitHook` lets them join a policy chain.
import type { NostrEvent, Reason } from '../nostr/types.js';
import type { AdmitHook, RejectEventHook } from './types.js';

export function maxTags(max: number): RejectEventHook {
  return (event) => (event.tags.length > max ? `blocked: too many tags (${event.tags.length} > ${max})` : undefined);
}

export function maxContentBytes(max: number): RejectEventHook {
  return (event) => {
    // Cheap bound first: UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (event.content.length * 3 <= max) return undefined;
    const bytes = Buffer.byteLength(event.content, 'utf8');
    return bytes > max ? `blocked: content too large (${bytes} > ${max} bytes)` : undefined;
  };
}

/** `now` is in ms; created_at in seconds. */
export function createdAtNotTooFarInFuture(seconds: number): RejectEventHook {
  return (event, now) =>
    event.created_at > Math.floor(now / 1000) + seconds
      ? `invalid: created_at is more than ${seconds} s in the future`
      : undefined;
}

/** Runs hooks in order; the first reason wins. */
export function runRejectHooks(hooks: readonly RejectEventHook[], event: NostrEvent, now: number): Reason | undefined {
  for (const hook of hooks) {
    const reason = hook(event, now);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

export function asAdmitHook(hook: RejectEventHook): AdmitHook {
  return (event, _ctx, world) => {
    const reason = hook(event, world.now());
    return reason === undefined ? undefined : { type: 'reject', reason };
  };
}
