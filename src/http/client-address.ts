// The client's address for per-IP limits. Behind a reverse proxy every connection comes from the proxy;
// its X-Forwarded-For is believed only when the connection comes from a --trusted-proxy address (or
// subnet). The header is read right to left: the first address that is not a trusted proxy is the client
// (entries further left were written by the client itself and prove nothing).
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

export interface TrustedProxies {
  has(address: string): boolean;
  readonly empty: boolean;
}

/** Strips the IPv4-mapped IPv6 prefix (::ffff:1.2.3.4 → 1.2.3.4). */
export function normaliseAddress(a: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return m ? m[1]! : a;
}

/** Entries: an address (`127.0.0.1`, `::1`) or a subnet (`10.0.0.0/8`, `fd00::/8`). Throws on anything else. */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const raw of entries) {
    const [addr, bits, extra] = raw.split('/');
    const family = isIP(addr ?? '');
    if (!addr || family === 0 || extra !== undefined) throw new Error(`not an IP address or subnet: ${JSON.stringify(raw)}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const n = Number(bits);
      if (!/^\d+$/.test(bits) || n > (family === 4 ? 32 : 128)) throw new Error(`bad prefix length in ${JSON.stringify(raw)}`);
      list.addSubnet(addr, n, type);
    }
  }
  return {
    empty: entries.length === 0,
    has: (address) => {
      const a = normaliseAddress(address);
      const family = isIP(a);
      return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

export function clientAddress(req: IncomingMessage, trusted: TrustedProxies): string {
  const peer = normaliseAddress(req.socket.remoteAddress ?? 'unknown');
  if (trusted.empty || !trusted.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((s) => normaliseAddress(s.trim())).filter(Boolean);
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) break; // garbage: trust nothing further left
    client = hop;
    if (!trusted.has(hop)) break;
  }
  return client;
}

/** The resolver for one --trusted-proxy list (parsed once). */
export function clientAddressResolver(entries: readonly string[]): (req: IncomingMessage) => string {
  const trusted = trustedProxies(entries);
  return (req) => clientAddress(req, trusted);
}
