// NIP-34 event shapes, pure: repo announcements (30617), repo states (30618), PRs (1618/1619), repo
// coordinates `30617:<pubkey>:<d>`, and GRASP-01 "lists the service" (INTERFACE.md "Semantics pinned":
// some clone is http(s)://<domain>/<npub>/<d>.git and some relay is ws(s)://<domain>).
// Parsers never throw; missing tags give empty values so callers decide what is invalid.
import { npubEncode } from 'nostr-tools/nip19';
import { KIND_REPO_ANNOUNCEMENT } from './kinds.js';
import type { NostrEvent } from './types.js';

export interface RepoAnnouncement {
  event: NostrEvent;
  pubkey: string;
  /** '' when the event has no d tag */
  d: string;
  /** every value of every `clone` tag, in order */
  clone: string[];
  /** every value of every `relays` tag, in order */
  relays: string[];
  /** every value of every `maintainers` tag (hex pubkeys as given) */
  maintainers: string[];
  name?: string;
  description?: string;
  web: string[];
}

export interface RepoState {
  event: NostrEvent;
  pubkey: string;
  d: string;
  /** `refs/heads/*` and `refs/tags/*` → oid; peeled `^{}` entries are ignored */
  refs: Map<string, string>;
  /** branch ref HEAD points to (`refs/heads/x`), from `["HEAD","ref: refs/heads/x"]` (the `ref: ` is optional) */
  head?: string;
}

export interface PullRequest {
  event: NostrEvent;
  pubkey: string;
  /** tip commit from the `c` tag */
  commit?: string;
  clone: string[];
  /** repo coordinates from `a` tags of kind 30617 */
  repos: Coordinate[];
  /** for a PR update (1619): the PR it updates (`E` tag) */
  root?: string;
}

export interface Coordinate {
  kind: number;
  pubkey: string;
  d: string;
}

/** First value of the first tag named `name`. */
export function tagValue(event: NostrEvent, name: string): string | undefined {
  for (const t of event.tags) if (t[0] === name && t.length > 1) return t[1];
  return undefined;
}

/** All values (positions 1..) of all tags named `name`. */
export function tagValues(event: NostrEvent, name: string): string[] {
  const out: string[] = [];
  for (const t of event.tags) if (t[0] === name) out.push(...t.slice(1));
  return out;
}

/** First values (position 1) of all tags named `name`. */
export function firstValues(event: NostrEvent, name: string): string[] {
  const out: string[] = [];
  for (const t of event.tags) if (t[0] === name && t.length > 1) out.push(t[1]);
  return out;
}

export function identifierOf(event: NostrEvent): string {
  return tagValue(event, 'd') ?? '';
}

export function parseAnnouncement(event: NostrEvent): RepoAnnouncement {
  return {
    event,
    pubkey: event.pubkey,
    d: identifierOf(event),
    clone: tagValues(event, 'clone'),
    relays: tagValues(event, 'relays'),
    maintainers: tagValues(event, 'maintainers').map((m) => m.toLowerCase()),
    name: tagValue(event, 'name'),
    description: tagValue(event, 'description'),
    web: tagValues(event, 'web'),
  };
}

export function parseState(event: NostrEvent): RepoState {
  const refs = new Map<string, string>();
  let head: string | undefined;
  for (const t of event.tags) {
    const [name, value] = t;
    if (value === undefined) continue;
    if ((name.startsWith('refs/heads/') || name.startsWith('refs/tags/')) && !name.endsWith('^{}')) refs.set(name, value);
    else if (name === 'HEAD') head = value.startsWith('ref: ') ? value.slice(5).trim() : value.trim();
  }
  return { event, pubkey: event.pubkey, d: identifierOf(event), refs, head };
}

export function parsePullRequest(event: NostrEvent): PullRequest {
  const repos: Coordinate[] = [];
  for (const v of firstValues(event, 'a')) {
    const c = parseCoordinate(v);
    if (c && c.kind === KIND_REPO_ANNOUNCEMENT) repos.push(c);
  }
  return {
    event,
    pubkey: event.pubkey,
    commit: tagValue(event, 'c'),
    clone: tagValues(event, 'clone'),
    repos,
    root: tagValue(event, 'E'),
  };
}

const HEX64 = /^[0-9a-f]{64}$/;

/** `kind:pubkey:d` (d may contain ':'); undefined unless kind is a number and pubkey 64 lower-case hex. */
export function parseCoordinate(value: string): Coordinate | undefined {
  const i = value.indexOf(':');
  const j = i < 0 ? -1 : value.indexOf(':', i + 1);
  if (j < 0) return undefined;
  const kindText = value.slice(0, i);
  const pubkey = value.slice(i + 1, j);
  if (!/^\d{1,5}$/.test(kindText) || !HEX64.test(pubkey)) return undefined;
  return { kind: Number(kindText), pubkey, d: value.slice(j + 1) };
}

export function coordinateOf(kind: number, pubkey: string, d: string): string {
  return `${kind}:${pubkey}:${d}`;
}

export function repoCoordinate(pubkey: string, d: string): string {
  return coordinateOf(KIND_REPO_ANNOUNCEMENT, pubkey, d);
}

/** Identifiers that can name a repository directory and a URL segment safely (GRASP.md "Identifiers and paths"). */
/** Longest identifier in bytes: a repository URL path segment (and a file name) holds at most 255. */
export const MAX_IDENTIFIER_BYTES = 255;

export function isValidIdentifier(d: string): boolean {
  return d !== '' && d !== '.' && d !== '..' && !/[/\\\0]/.test(d) && Buffer.byteLength(d, 'utf8') <= MAX_IDENTIFIER_BYTES;
}

export function cloneUrlFor(domain: string, tls: boolean, pubkey: string, d: string): string {
  return `${tls ? 'https' : 'http'}://${domain}/${npubEncode(pubkey)}/${encodeURIComponent(d)}.git`;
}

export function relayUrlFor(domain: string, tls: boolean): string {
  return `${tls ? 'wss' : 'ws'}://${domain}`;
}

/** Splits `scheme://authority[/path]` without URL normalisation (which would drop default ports). */
function splitUrl(url: string): { scheme: string; host: string; path: string } | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]+)([^?#]*)$/i.exec(url.trim());
  if (!m) return undefined;
  return { scheme: m[1].toLowerCase(), host: m[2].toLowerCase(), path: m[3] };
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** True when `url` is http(s)://<domain>/<npub>/<d>.git (trailing `/` ignored, `<d>` raw or percent-encoded). */
export function isServiceCloneUrl(url: string, domain: string, pubkey: string, d: string): boolean {
  const u = splitUrl(url);
  if (!u || (u.scheme !== 'http' && u.scheme !== 'https') || u.host !== domain.toLowerCase()) return false;
  const prefix = `/${npubEncode(pubkey)}/`;
  const path = u.path.replace(/\/+$/, '');
  if (!path.toLowerCase().startsWith(prefix) || !path.endsWith('.git')) return false;
  const segment = path.slice(prefix.length, -'.git'.length);
  return segment === d || safeDecode(segment) === d;
}

/** True when `url` is ws(s)://<domain> (trailing `/` ignored). */
export function isServiceRelayUrl(url: string, domain: string): boolean {
  const u = splitUrl(url);
  if (!u || (u.scheme !== 'ws' && u.scheme !== 'wss')) return false;
  return u.host === domain.toLowerCase() && /^\/*$/.test(u.path);
}

/** GRASP-01: the announcement lists this service in both `clone` and `relays`. */
export function listsService(announcement: RepoAnnouncement, domain: string): boolean {
  if (announcement.d === '') return false;
  return (
    announcement.clone.some((c) => isServiceCloneUrl(c, domain, announcement.pubkey, announcement.d)) &&
    announcement.relays.some((r) => isServiceRelayUrl(r, domain))
  );
}
