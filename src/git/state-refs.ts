// NIP-34 state (30618) and PR (1618/1619) tags as plain data for the git layer (GRASP-01 "Pushes").
// Pure. Ref names come from signed but untrusted events, so only safe `refs/heads/*` / `refs/tags/*`
// names survive (they end up on `git update-ref` input); a state with any unsafe ref is unusable.
import type { NostrEvent } from '../nostr/types.js';

export interface AuthorisedState {
  id: string;
  pubkey: string;
  created_at: number;
  /** refs/heads/* and refs/tags/* → oid */
  refs: Map<string, string>;
  /** symbolic target of HEAD, e.g. `refs/heads/main` */
  head?: string;
}

export const ZERO_OID = '0000000000000000000000000000000000000000';
const OID = /^[0-9a-f]{40}$/;

export function isOid(s: string): boolean {
  return OID.test(s);
}

/** A conservative subset of git-check-ref-format for names we write ourselves. */
export function isSafeRefName(ref: string): boolean {
  if (!/^refs\/(heads|tags|nostr)\/./.test(ref)) return false;
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref)) return false;
  if (ref.includes('..') || ref.includes('@{') || ref.includes('//')) return false;
  if (ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock')) return false;
  return !ref.split('/').some((c) => c.startsWith('.') || c.endsWith('.lock'));
}

export function isHeadOrTag(ref: string): boolean {
  return ref.startsWith('refs/heads/') || ref.startsWith('refs/tags/');
}

/** Parses a 30618 event; undefined when it names an unsafe ref or a malformed oid. */
export function parseState(ev: NostrEvent): AuthorisedState | undefined {
  const refs = new Map<string, string>();
  let head: string | undefined;
  for (const t of ev.tags) {
    const [name, value] = t;
    if (name === undefined || value === undefined) continue;
    if (name === 'HEAD') {
      const target = value.startsWith('ref: ') ? value.slice(5).trim() : value.trim();
      if (target.startsWith('refs/heads/') && isSafeRefName(target)) head = target;
      continue;
    }
    if (!isHeadOrTag(name) || name.endsWith('^{}')) continue;
    if (!isSafeRefName(name) || !isOid(value)) return undefined;
    refs.set(name, value);
  }
  return { id: ev.id, pubkey: ev.pubkey, created_at: ev.created_at, refs, ...(head ? { head } : {}) };
}

/** The `c` tag (tip commit) of a PR / PR-update event. */
export function prTip(ev: NostrEvent): string | undefined {
  const c = ev.tags.find((t) => t[0] === 'c')?.[1];
  return c !== undefined && isOid(c) ? c : undefined;
}

/** HEAD to set once `st` is applied: its HEAD; else keep one that still resolves; else main, master, first head. */
export function headAfter(st: AuthorisedState, currentHead: string | undefined): string | undefined {
  if (st.head) return st.head === currentHead ? undefined : st.head;
  if (currentHead !== undefined && st.refs.has(currentHead)) return undefined;
  const heads = [...st.refs.keys()].filter((r) => r.startsWith('refs/heads/')).sort();
  return ['refs/heads/main', 'refs/heads/master'].find((r) => st.refs.has(r)) ?? heads[0];
}
