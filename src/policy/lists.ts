// Curation and moderation lists (issue 10; INTERFACE.md "Additions for public hosting"), pure: parsing entries
// (`<npub>`, `<npub>/<identifier>`, `<identifier>`), matching repositories and authors, and the policy hook that
// runs before every GRASP rule. The lists themselves come from options and a file (app/lists-source.ts).
import { nip19 } from 'nostr-tools';
import { KIND_REPO_ANNOUNCEMENT, KIND_REPO_STATE } from '../nostr/kinds.js';
import { identifierOf } from '../nostr/nip34.js';
import type { NostrEvent, Reason } from '../nostr/types.js';
import type { Admission } from '../relay/admission.js';
import type { AdmitHook } from './types.js';

/** One list entry: an owner (all their repos), an owner's repo, or an identifier under any owner. */
export type RepoEntry = { pubkey: string; d?: string } | { pubkey?: undefined; d: string };

export interface ModerationLists {
  repoWhitelist: readonly RepoEntry[];
  repoBlacklist: readonly RepoEntry[];
  authorBlacklist: ReadonlySet<string>;
}

export const EMPTY_LISTS: ModerationLists = { repoWhitelist: [], repoBlacklist: [], authorBlacklist: new Set() };

export class ListEntryError extends Error {}

function decodeNpub(text: string): string {
  try {
    const r = nip19.decode(text);
    if (r.type === 'npub') return r.data;
  } catch {
    // fall through to the error below
  }
  throw new ListEntryError(`not a valid npub: ${JSON.stringify(text)}`);
}

/** `npub1…`, `npub1…/<identifier>` or `<identifier>`; throws ListEntryError with a clear message. */
export function parseRepoEntry(raw: string): RepoEntry {
  const text = raw.trim();
  if (text === '') throw new ListEntryError('empty list entry');
  if (text.startsWith('npub1')) {
    const slash = text.indexOf('/');
    if (slash < 0) return { pubkey: decodeNpub(text) };
    const d = text.slice(slash + 1);
    if (d === '') throw new ListEntryError(`empty identifier after the npub in ${JSON.stringify(text)}`);
    return { pubkey: decodeNpub(text.slice(0, slash)), d };
  }
  if (/[\0\r\n]/.test(text)) throw new ListEntryError(`identifier contains a control character: ${JSON.stringify(text)}`);
  return { d: text };
}

/** An author entry must be an npub (hex keys are accepted too, for operators pasting from logs). */
export function parseAuthorEntry(raw: string): string {
  const text = raw.trim();
  if (/^[0-9a-f]{64}$/.test(text)) return text;
  if (!text.startsWith('npub1')) throw new ListEntryError(`author entries must be npubs, got ${JSON.stringify(text)}`);
  return decodeNpub(text);
}

export function entryMatches(entry: RepoEntry, owner: string, d: string): boolean {
  if (entry.pubkey !== undefined && entry.pubkey !== owner) return false;
  return entry.d === undefined || entry.d === d;
}

const anyMatch = (entries: readonly RepoEntry[], owner: string, d: string): boolean => entries.some((e) => entryMatches(e, owner, d));

export function isRepoBlacklisted(lists: ModerationLists, owner: string, d: string): boolean {
  return anyMatch(lists.repoBlacklist, owner, d);
}

export const REFUSED_AUTHOR: Reason = 'blocked: events of this author are not accepted here';
export const REFUSED_BLACKLISTED: Reason = 'blocked: this repository is not hosted here (blacklisted by the operator)';
export const REFUSED_NOT_WHITELISTED: Reason = 'blocked: this server only hosts repositories on its whitelist';

/** Which list a refusal came from (metric label), or undefined for other refusals. */
export function refusalList(reason: string): 'author-blacklist' | 'repo-blacklist' | 'repo-whitelist' | undefined {
  if (reason === REFUSED_AUTHOR) return 'author-blacklist';
  if (reason === REFUSED_BLACKLISTED) return 'repo-blacklist';
  if (reason === REFUSED_NOT_WHITELISTED) return 'repo-whitelist';
  return undefined;
}

/** undefined when a new announcement of (owner, d) may be accepted, else the refusal. */
export function repoRefusal(lists: ModerationLists, owner: string, d: string): Reason | undefined {
  if (isRepoBlacklisted(lists, owner, d)) return REFUSED_BLACKLISTED;
  if (lists.repoWhitelist.length > 0 && !anyMatch(lists.repoWhitelist, owner, d)) return REFUSED_NOT_WHITELISTED;
  return undefined;
}

/** (owner, d) of every repository the event names: its own address for 30617/30618, else its a/A/q coordinates. */
export function reposNamedBy(event: NostrEvent): Array<{ owner: string; d: string }> {
  if (event.kind === KIND_REPO_ANNOUNCEMENT || event.kind === KIND_REPO_STATE) return [{ owner: event.pubkey, d: identifierOf(event) }];
  const out: Array<{ owner: string; d: string }> = [];
  for (const t of event.tags) {
    if ((t[0] !== 'a' && t[0] !== 'A' && t[0] !== 'q') || !t[1]?.startsWith(`${KIND_REPO_ANNOUNCEMENT}:`)) continue;
    const [, owner, ...rest] = t[1].split(':');
    if (owner && /^[0-9a-f]{64}$/.test(owner)) out.push({ owner, d: rest.join(':') });
  }
  return out;
}

/**
 * Whether a stored event is hidden from every reader: its author is blacklisted, or it belongs to blacklisted
 * repositories only (an event that also names a hosted repository stays visible).
 */
export function isHidden(lists: ModerationLists, event: NostrEvent): boolean {
  if (lists.authorBlacklist.has(event.pubkey)) return true;
  if (lists.repoBlacklist.length === 0) return false;
  const repos = reposNamedBy(event);
  return repos.length > 0 && repos.every((r) => isRepoBlacklisted(lists, r.owner, r.d));
}

export function listsActive(lists: ModerationLists): boolean {
  return lists.authorBlacklist.size > 0 || lists.repoBlacklist.length > 0;
}

/** The first policy step: blacklisted authors, blacklisted repositories, and the whitelist for announcements. */
export function listsHook(current: () => ModerationLists): AdmitHook {
  return (event): Admission | undefined => {
    const lists = current();
    if (lists.authorBlacklist.has(event.pubkey)) return { type: 'reject', reason: REFUSED_AUTHOR };
    if (event.kind === KIND_REPO_ANNOUNCEMENT) {
      const reason = repoRefusal(lists, event.pubkey, identifierOf(event));
      return reason ? { type: 'reject', reason } : undefined;
    }
    if (isHidden(lists, event)) return { type: 'reject', reason: REFUSED_BLACKLISTED };
    return undefined;
  };
}

/** Human summary for NIP-11 `curation` (only when curating). */
export function curationSummary(lists: ModerationLists): string | undefined {
  const parts: string[] = [];
  if (lists.repoWhitelist.length > 0) parts.push('accepts only whitelisted repositories that list this service');
  if (lists.repoBlacklist.length > 0) parts.push('some repositories are blacklisted');
  if (lists.authorBlacklist.size > 0) parts.push('some authors are blocked');
  return parts.length > 0 ? parts.join('; ') : undefined;
}

export const LIST_NAMES = ['repo-whitelist', 'repo-blacklist', 'author-blacklist'] as const;
export type ListName = (typeof LIST_NAMES)[number];

/** Raw entries per list, as given by options or a file. */
export type RawLists = Record<ListName, readonly string[]>;

/** Parses raw entries; throws ListEntryError naming the list and the entry. */
export function buildLists(raw: RawLists): ModerationLists {
  const repo = (name: ListName): RepoEntry[] =>
    raw[name].map((e) => {
      try {
        return parseRepoEntry(e);
      } catch (err) {
        throw new ListEntryError(`${name}: ${(err as Error).message}`);
      }
    });
  const authors = new Set<string>();
  for (const e of raw['author-blacklist']) {
    try {
      authors.add(parseAuthorEntry(e));
    } catch (err) {
      throw new ListEntryError(`author-blacklist: ${(err as Error).message}`);
    }
  }
  return { repoWhitelist: repo('repo-whitelist'), repoBlacklist: repo('repo-blacklist'), authorBlacklist: authors };
}

/**
 * The lists file: one `<list-name> <entry>` per line (list names as the options: repo-whitelist, repo-blacklist,
 * author-blacklist), blank lines and `#` comments ignored. Throws ListEntryError with the line number.
 */
export function parseListsFile(text: string): RawLists {
  const out: Record<ListName, string[]> = { 'repo-whitelist': [], 'repo-blacklist': [], 'author-blacklist': [] };
  text.split(/\r?\n/).forEach((line, i) => {
    const body = line.replace(/(^|\s)#.*$/, '').trim();
    if (body === '') return;
    const m = /^(\S+)\s+(.+)$/.exec(body);
    const name = m?.[1] as ListName | undefined;
    if (!m || !name || !LIST_NAMES.includes(name)) {
      throw new ListEntryError(`line ${i + 1}: expected "<${LIST_NAMES.join('|')}> <entry>", got ${JSON.stringify(line.trim())}`);
    }
    const entry = m[2]!.trim();
    try {
      if (name === 'author-blacklist') parseAuthorEntry(entry);
      else parseRepoEntry(entry);
    } catch (err) {
      throw new ListEntryError(`line ${i + 1}: ${(err as Error).message}`);
    }
    out[name].push(entry);
  });
  return out;
}

export function mergeRawLists(a: RawLists, b: RawLists): RawLists {
  return {
    'repo-whitelist': [...a['repo-whitelist'], ...b['repo-whitelist']],
    'repo-blacklist': [...a['repo-blacklist'], ...b['repo-blacklist']],
    'author-blacklist': [...a['author-blacklist'], ...b['author-blacklist']],
  };
}
