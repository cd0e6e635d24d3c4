// Relay URL normalisation and own-URL exclusion (SYNC.md "Data model", "Self-subscription" step 1).
// One normal form for every key, so `wss://Relay.example.com:443/` and `wss://relay.example.com` are
// one relay; our own URLs are never remote relays (sync-study §9.1 item 16).

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url.trim());
  } catch {
    return undefined;
  }
}

/** ws(s) URL → normal form, or undefined when not ws(s) or malformed. */
export function normalizeRelayUrl(url: string): string | undefined {
  const u = parseUrl(url);
  if (u === undefined) return undefined;
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return undefined;
  if (u.hostname === '' || u.username !== '' || u.password !== '') return undefined;
  // URL already lower-cases scheme and host and drops the scheme's default port
  const path = u.pathname.replace(/\/+$/, '');
  return `${u.protocol}//${u.host}${path}${u.search}`;
}

const NPUB_RE = /^npub1[02-9ac-hj-np-z]{58}$/;

/** GRASP clone URL `http(s)://host/<npub>/<d>.git` → `ws(s)://host`; anything else → undefined. */
export function relayFromCloneUrl(url: string): string | undefined {
  const u = parseUrl(url);
  if (u === undefined) return undefined;
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  const parts = u.pathname.split('/').filter((p) => p !== '');
  if (parts.length !== 2) return undefined;
  const [npub, repo] = parts as [string, string];
  if (!NPUB_RE.test(npub) || !repo.endsWith('.git') || repo.length <= 4) return undefined;
  const scheme = u.protocol === 'https:' ? 'wss:' : 'ws:';
  // keep an explicit non-default port; http's default 80 maps to ws's default 80, 443 likewise
  return normalizeRelayUrl(`${scheme}//${u.host}`);
}

/** True when `url` normalises to one of `ownUrls` (compared in normal form). */
export function isOwnRelay(url: string, ownUrls: Iterable<string>): boolean {
  const n = normalizeRelayUrl(url);
  if (n === undefined) return false;
  for (const own of ownUrls) if (normalizeRelayUrl(own) === n) return true;
  return false;
}

/** Our own relay URLs: ws and wss of the public domain, and the bind address. */
export function ownRelayUrls(opts: { domain: string; host: string; port: number }): string[] {
  const out = new Set<string>();
  for (const raw of [`ws://${opts.domain}`, `wss://${opts.domain}`, `ws://${opts.host}:${opts.port}`]) {
    const n = normalizeRelayUrl(raw);
    if (n !== undefined) out.add(n);
  }
  return [...out];
}
