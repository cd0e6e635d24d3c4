// `graspd resync <ws(s)://relay> [--url URL] [--admin-token T]`: asks a running server to sync one remote
// relay afresh (POST /api/resync). Accepted from loopback, or anywhere with the server's --admin-token
// (also read from GRASPD_ADMIN_TOKEN).
import { UsageError, parseSubArgs, type Io } from './sub-args.js';
import { targetOf } from './target.js';

export const RESYNC_USAGE = 'usage: graspd resync <ws(s)://relay> [--url URL] [--admin-token TOKEN]';

export async function resyncCommand(argv: string[], io: Io): Promise<number> {
  const a = parseSubArgs(argv, { values: ['url', 'admin-token', 'timeout-ms'] });
  const relay = a.positional[0];
  if (relay === undefined || a.positional.length > 1) throw new UsageError(RESYNC_USAGE);
  if (!/^wss?:\/\/\S+$/.test(relay)) throw new UsageError(`not a ws:// or wss:// URL: ${relay}`);
  const token = a.value('admin-token') ?? process.env.GRASPD_ADMIN_TOKEN;
  const url = `${targetOf(a).http}/api/resync?relay=${encodeURIComponent(relay)}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(a.int('timeout-ms', 30_000)),
  });
  const body = (await res.json().catch(() => ({}))) as { error?: string; relay?: string };
  if (res.status === 202) {
    io.out(`resync of ${body.relay ?? relay} started\n`);
    return 0;
  }
  io.err(`graspd resync: HTTP ${res.status}: ${String(body.error ?? 'refused').replace(/[\u0000-\u001f]/g, ' ')}\n`);
  return 1;
}
