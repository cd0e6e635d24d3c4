// Outbound relay connections are hostile-input driven (SYNC.md "Connection lifecycle", GRASP.md "Clone URLs
// are hostile input"): a relay URL comes from someone's announcement, so before connecting we resolve its
// host and refuse loopback/private/link-local targets unless --allow-private-addresses. The connection is
// then pinned to the checked addresses (`lookup`), so a second DNS answer cannot redirect it.
import type { LookupFunction } from 'node:net';
import { resolveAndCheck } from '../../gitfetch/url-safety.js';

export type GuardResult = { ok: true; lookup: LookupFunction } | { ok: false; reason: string };

/** Checks a ws(s) URL's host; on success returns a `lookup` pinned to the checked addresses. */
export async function guardRelayUrl(url: string, allowPrivate: boolean): Promise<GuardResult> {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return { ok: false, reason: 'unparseable relay url' };
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal'))) {
    return { ok: false, reason: `local host name ${host}` };
  }
  const r = await resolveAndCheck(host, allowPrivate);
  if (!r.ok) return { ok: false, reason: r.reason };
  const addresses = r.addresses;
  const lookup: LookupFunction = (_hostname, options, callback) => {
    const family = (a: string): number => (a.includes(':') ? 6 : 4);
    const wanted = typeof options === 'object' && options.family ? addresses.filter((a) => family(a) === options.family) : addresses;
    const list = wanted.length > 0 ? wanted : addresses;
    if (typeof options === 'object' && options.all) {
      (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, list.map((a) => ({ address: a, family: family(a) })));
    } else callback(null, list[0]!, family(list[0]!));
  };
  return { ok: true, lookup };
}
