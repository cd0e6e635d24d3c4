// GRASP.md "Clone URLs are hostile input": which clone URLs may ever reach `git fetch`.
// Pure checks (scheme, shape, literal addresses) plus one DNS edge (`resolveAndCheck`): every
// resolved address is checked, and the fetcher pins git to exactly those addresses
// (http.curloptResolve) so a second, different DNS answer cannot redirect it (DNS rebinding).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export type UrlCheck =
  | { ok: true; /** normalised URL handed to git */ url: string; scheme: 'http' | 'https'; /** lower-case, IPv6 without brackets */ hostname: string; port: number }
  | { ok: false; reason: string };

const MAX_URL_LENGTH = 2048;

/** Lower-case hostname of an http(s) URL (throttling key), undefined when it does not parse. */
export function hostKey(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.hostname === '' ? undefined : stripBrackets(u.hostname.toLowerCase());
  } catch {
    return undefined;
  }
}

function stripBrackets(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** Decides whether `url` may be fetched at all; DNS is checked separately (resolveAndCheck). */
export function checkCloneUrl(url: string, opts: { allowPrivate: boolean }): UrlCheck {
  if (typeof url !== 'string' || url.length === 0) return { ok: false, reason: 'empty url' };
  if (url.length > MAX_URL_LENGTH) return { ok: false, reason: 'url too long' };
  if (url.startsWith('-')) return { ok: false, reason: 'url starts with -' };
  if (/[\s\x00-\x1f\x7f\\]/.test(url)) return { ok: false, reason: 'url contains whitespace, control characters or backslashes' };
  // scheme test on the raw text: `ext::`, `file:`, `ssh://`, scp-like `host:path` and local paths all fail here
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (!m) return { ok: false, reason: 'not an http(s) url' };
  const scheme = m[1].toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return { ok: false, reason: `scheme ${scheme} not allowed` };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, reason: 'unparseable url' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, reason: 'not an http(s) url' };
  if (u.username !== '' || u.password !== '') return { ok: false, reason: 'credentials in url' };
  const hostname = stripBrackets(u.hostname.toLowerCase());
  if (hostname === '') return { ok: false, reason: 'no host' };
  if (!isIP(hostname) && !/^[a-z0-9._-]+$/.test(hostname)) return { ok: false, reason: 'bad host name' };
  if (!opts.allowPrivate) {
    if (isIP(hostname) && isPrivateAddress(hostname)) return { ok: false, reason: `private address ${hostname}` };
    if (hostname === 'localhost' || hostname.endsWith('.localhost') || hostname.endsWith('.local') || hostname.endsWith('.internal')) {
      return { ok: false, reason: `local host name ${hostname}` };
    }
  }
  const port = u.port !== '' ? Number(u.port) : scheme === 'https' ? 443 : 80;
  return { ok: true, url: u.href, scheme, hostname, port };
}

type Range = [base: number, bits: number];

const V4_BLOCKED: Range[] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
].map(([ip, bits]) => [parseV4(ip as string) ?? 0, bits as number]);

function parseV4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function inV4(n: number, [base, bits]: Range): boolean {
  const size = 2 ** (32 - bits);
  return Math.floor(n / size) === Math.floor(base / size);
}

/** Eight 16-bit groups, undefined when malformed. Accepts a trailing dotted IPv4 and `%zone`. */
function parseV6(ip: string): number[] | undefined {
  let s = ip.split('%')[0];
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  if (s.slice(lastColon + 1).includes('.')) {
    // a trailing dotted IPv4 becomes two hex groups
    const v4 = parseV4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !rest) return undefined;
  const explicit = head.length + rest.length;
  if (halves.length === 1 && explicit !== 8) return undefined;
  if (halves.length === 2 && explicit > 7) return undefined;
  return [...head, ...new Array<number>(8 - explicit).fill(0), ...rest];
}

/** True for every address that is not plainly public unicast (fails closed on anything unparseable). */
export function isPrivateAddress(ip: string): boolean {
  const v4 = parseV4(ip);
  if (v4 !== undefined) return V4_BLOCKED.some((r) => inV4(v4, r)) || v4 === 0xffffffff;
  const g = parseV6(ip.toLowerCase());
  if (!g) return true;
  const embedded = (hi: number, lo: number): boolean => isPrivateAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  const zeros = (from: number, to: number): boolean => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return true; // ::
  if (zeros(0, 7) && g[7] === 1) return true; // ::1
  if (zeros(0, 5) && g[5] === 0xffff) return embedded(g[6], g[7]); // ::ffff:a.b.c.d
  if (zeros(0, 6)) return true; // ::a.b.c.d (deprecated IPv4-compatible)
  if (g[0] === 0x64 && g[1] === 0xff9b) return g[2] !== 0 || embedded(g[6], g[7]); // NAT64 (and 64:ff9b:1::/48 local use)
  if (g[0] === 0x100 && zeros(1, 4)) return true; // 100::/64 discard
  if (g[0] === 0x2001 && (g[1] === 0 || g[1] === 0xdb8)) return true; // Teredo (can hide anything), documentation
  if (g[0] === 0x2002) return embedded(g[1], g[2]); // 6to4
  if ((g[0] & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((g[0] & 0xffc0) === 0xfe80 || (g[0] & 0xffc0) === 0xfec0) return true; // link-local, site-local
  if ((g[0] & 0xff00) === 0xff00) return true; // multicast
  return false;
}

export type ResolveCheck =
  | { ok: true; addresses: string[] }
  | { ok: false; reason: string; /** true for a policy refusal, false for a DNS failure */ refused: boolean };

/** Resolves `hostname` and refuses when any address is private (unless allowed). IP literals skip DNS. */
export async function resolveAndCheck(hostname: string, allowPrivate: boolean): Promise<ResolveCheck> {
  let addresses: string[];
  if (isIP(hostname)) addresses = [hostname];
  else {
    try {
      addresses = (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
    } catch (e) {
      return { ok: false, reason: `dns: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, refused: false };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: 'dns: no addresses', refused: false };
  if (!allowPrivate) {
    const bad = addresses.find(isPrivateAddress);
    if (bad !== undefined) return { ok: false, reason: `${hostname} resolves to private address ${bad}`, refused: true };
  }
  return { ok: true, addresses };
}
