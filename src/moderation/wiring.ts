// Glue between the moderation lists and the rest: the counting policy hook, and the log lines an operator
// needs when a blacklist change hides (or brings back) repositories that are already here.
import { nip19 } from 'nostr-tools';
import type { Logger } from '../log/logger.js';
import { prom, registry } from '../metrics/registry.js';
import { KIND_REPO_ANNOUNCEMENT } from '../nostr/kinds.js';
import { identifierOf } from '../nostr/nip34.js';
import type { NostrFilter } from '../nostr/types.js';
import type { EventStore } from '../store/types.js';
import type { AdmitHook } from '../policy/types.js';
import { listsHook, refusalList, type ModerationLists, type RepoEntry } from '../policy/lists.js';
import type { ListsSource } from './lists-source.js';

const refusals = new prom.Counter({
  name: 'graspd_moderation_refusals_total',
  help: 'events refused by a moderation list, by list',
  labelNames: ['list'],
  registers: [registry],
});

export function moderationHook(current: () => ModerationLists): AdmitHook {
  const hook = listsHook(current);
  return (event, ctx, world) => {
    const decision = hook(event, ctx, world);
    if (decision && !(decision instanceof Promise) && decision.type === 'reject') {
      const list = refusalList(decision.reason);
      if (list) refusals.inc({ list });
    }
    return decision;
  };
}

function announcementFilter(e: RepoEntry): NostrFilter {
  return { kinds: [KIND_REPO_ANNOUNCEMENT], ...(e.pubkey ? { authors: [e.pubkey] } : {}), ...(e.d !== undefined ? { '#d': [e.d] } : {}) };
}

/** Logs each repository here that a reload hid or brought back (read from the unfiltered store). */
export function watchBlacklistChanges(lists: ListsSource, rawStore: EventStore, log: Logger): void {
  const report = async (entries: readonly RepoEntry[], message: string): Promise<void> => {
    for (const entry of entries) {
      for (const ann of await rawStore.query([announcementFilter(entry)], { maxLimit: 1000 })) {
        log.warn({ owner: nip19.npubEncode(ann.pubkey), d: identifierOf(ann) }, message);
      }
    }
  };
  report(lists.current.repoBlacklist, 'repository blacklisted: not served').catch((err: unknown) => log.error({ err }, 'reporting blacklisted repositories failed'));
  lists.onChange(({ added, removed }) => {
    void (async () => {
      await report(added, 'repository blacklisted: no longer served');
      await report(removed, 'repository un-listed: served again');
    })().catch((err: unknown) => log.error({ err }, 'reporting blacklist changes failed'));
  });
}
