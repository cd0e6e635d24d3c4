// GRASP.md "Identifiers and paths": (owner, d) → a directory that can never escape `<dataDir>/repos/`,
// and the URL shape `/<npub>/<identifier>.git[/info/refs|/git-upload-pack|/git-receive-pack]`.
// Pure (but for the start-up rename of old directory names): no disk access. Hostile segments (`..`, `.`, `/`, `\`, NUL, > 255 bytes) are refused here,
// before anything touches the filesystem (INTERFACE.md "HTTP surface").
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { nip19 } from 'nostr-tools';

export type GitRouteService = 'info-refs' | 'upload-pack' | 'receive-pack' | 'page';

export interface GitRoute {
  npub: string;
  pubkey: string;
  d: string;
  service: GitRouteService;
}

export interface GitPathError {
  error: 400 | 404;
  reason: string;
  /** false when the path does not even have the `/<x>/<y>.git…` shape (the caller may route it elsewhere) */
  gitPath: boolean;
}

const MAX_SEGMENT_BYTES = 255;
// leaves room for ".git" within a 255-byte file name
const MAX_ENCODED_NAME = 240;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Percent-encodes every byte outside [a-z0-9._-] (upper-case letters too) and a leading '.', so the result is one
 * safe path segment, and two identifiers that differ only in case never share a directory on a case-insensitive
 * filesystem (literal letters are always lower-case, escapes always upper-case hex).
 */
export function encodeIdentifier(d: string): string {
  let out = '';
  for (const byte of Buffer.from(d, 'utf8')) {
    const ch = String.fromCharCode(byte);
    const safe = /[a-z0-9._-]/.test(ch) && !(out === '' && ch === '.');
    out += safe ? ch : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Inverse of encodeIdentifier (undefined for hashed or malformed names). */
export function decodeIdentifier(name: string): string | undefined {
  if (name.startsWith('~')) return undefined;
  try {
    return decodeURIComponent(name);
  } catch {
    return undefined;
  }
}

/** Directory name for d: the encoding, or `~<sha256>` when the encoding would be too long for a file name. */
export function repoDirName(d: string): string {
  if (d === '') throw new Error('empty identifier');
  const enc = encodeIdentifier(d);
  // '~' never appears in an encoding, so hashed names cannot collide with encoded ones
  const name = enc.length <= MAX_ENCODED_NAME ? enc : '~' + createHash('sha256').update(d, 'utf8').digest('hex');
  return name + '.git';
}

/** `<dataDir>/repos/<npub>/<encoded d>.git`. Throws on an invalid pubkey or empty d. */
export function repoDir(dataDir: string, ownerPubkey: string, d: string): string {
  if (!HEX64.test(ownerPubkey)) throw new Error('invalid owner pubkey');
  return join(reposRoot(dataDir), nip19.npubEncode(ownerPubkey), repoDirName(d));
}

/**
 * Renames repository directories named by an older encoding (upper-case letters kept literally) to today's
 * name, so existing data dirs keep working. Returns how many were renamed. Safe to run at every start.
 */
export function migrateRepoDirNames(root: string): number {
  let renamed = 0;
  const entries = (p: string): string[] => {
    try {
      return readdirSync(p);
    } catch {
      return [];
    }
  };
  for (const owner of entries(root)) {
    for (const name of entries(join(root, owner))) {
      if (!name.endsWith('.git') || name.startsWith('~')) continue;
      const d = decodeIdentifier(name.slice(0, -'.git'.length));
      if (d === undefined || d === '') continue;
      const want = repoDirName(d);
      if (want === name || existsSync(join(root, owner, want))) continue;
      renameSync(join(root, owner, name), join(root, owner, want));
      renamed++;
    }
  }
  return renamed;
}

export function reposRoot(dataDir: string): string {
  return join(dataDir, 'repos');
}

/** npub → hex pubkey, or undefined. */
export function npubToPubkey(npub: string): string | undefined {
  if (!npub.startsWith('npub1')) return undefined;
  try {
    const r = nip19.decode(npub);
    return r.type === 'npub' && HEX64.test(r.data) ? r.data : undefined;
  } catch {
    return undefined;
  }
}

function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function isHostileSegment(seg: string): boolean {
  return (
    seg === '.' ||
    seg === '..' ||
    /[/\\\0]/.test(seg) ||
    Buffer.byteLength(seg, 'utf8') > MAX_SEGMENT_BYTES
  );
}

const SUBPATHS: Record<string, GitRouteService> = {
  '': 'page',
  'info/refs': 'info-refs',
  'git-upload-pack': 'upload-pack',
  'git-receive-pack': 'receive-pack',
};

/** Parses the path part of a request URL (a query string is ignored). */
export function parseGitPath(urlPath: string): GitRoute | GitPathError {
  const path = urlPath.split('?')[0] ?? '';
  const rawSegs = path.split('/').slice(1);
  for (const raw of rawSegs) {
    const seg = decodeSegment(raw);
    if (seg === undefined || isHostileSegment(seg) || /[/\\\0]/.test(raw)) {
      return { error: 400, reason: 'bad path segment', gitPath: true };
    }
  }
  const [rawNpub, rawRepo, ...rest] = rawSegs;
  if (rawNpub === undefined || rawRepo === undefined || !rawRepo.endsWith('.git') || rawRepo === '.git') {
    return { error: 404, reason: 'not a git path', gitPath: false };
  }
  const sub = rest.join('/');
  const service = SUBPATHS[sub];
  if (service === undefined) return { error: 404, reason: 'unknown git endpoint', gitPath: true };
  const npub = decodeSegment(rawNpub) ?? '';
  const pubkey = npubToPubkey(npub);
  if (pubkey === undefined) return { error: 404, reason: 'invalid npub', gitPath: true };
  const d = decodeSegment(rawRepo.slice(0, -'.git'.length)) ?? '';
  if (d === '' || isHostileSegment(d)) return { error: 400, reason: 'bad identifier', gitPath: true };
  return { npub, pubkey, d, service };
}
