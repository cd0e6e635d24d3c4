// `graspd status`, `graspd relays`, `graspd repos [--incomplete]`: human-readable tables from a running
// server's GET /api/status (--url, default http://127.0.0.1:8080; --json prints the raw document).
import type { RelayStatus, RepoStatus, StatusReport } from '../status/types.js';
import { UsageError, parseSubArgs, type Io, type SubArgs } from './sub-args.js';
import { relative, renderTable } from './table.js';
import { targetOf } from './target.js';

export async function fetchStatus(a: SubArgs): Promise<StatusReport> {
  const url = `${targetOf(a).http}/api/status`;
  const res = await fetch(url, { signal: AbortSignal.timeout(a.int('timeout-ms', 30_000)) }).catch((err: unknown) => {
    throw new Error(`cannot reach ${url}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`);
  });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const body = (await res.json()) as Partial<StatusReport>;
  if (!Array.isArray(body.relays) || !Array.isArray(body.repos)) throw new Error(`${url}: not a graspd status document`);
  return body as StatusReport;
}

function args(argv: string[], usage: string, flags: string[] = []): SubArgs {
  const a = parseSubArgs(argv, { values: ['url', 'timeout-ms'], flags: ['json', ...flags] });
  if (a.positional.length > 0) throw new UsageError(usage);
  return a;
}

const gb = (n: number | undefined): string => (n === undefined ? '-' : `${(n / 1e9).toFixed(1)} GB`);

export function relaysTable(relays: readonly RelayStatus[], now: number): string {
  if (relays.length === 0) return 'no remote relays';
  return renderTable(
    ['RELAY', 'CONN', 'HEALTH', 'FAILS', 'NEXT TRY', 'REPOS', 'FILTERS', 'BATCHES', 'LAST EVENT', 'IN/OUT kB', 'NIP-77', 'LAST ERROR'],
    relays.map((r) => [
      r.url, r.connection, r.health, String(r.failures), relative(r.nextAttemptAt, now), String(r.repos),
      `${r.liveFilters}+${r.historicSubscriptions}/${r.filterCapacity}`, String(r.pendingHistoricBatches), relative(r.lastEventAt, now),
      `${Math.round(r.bytesIn / 1000)}/${Math.round(r.bytesOut / 1000)}`, r.nip77 === null ? '?' : r.nip77 ? 'yes' : 'no', r.lastError ?? '',
    ]),
  );
}

export function reposTable(repos: readonly RepoStatus[], now: number): string {
  if (repos.length === 0) return 'no repositories';
  return renderTable(
    ['REPOSITORY', 'OWNER', 'ANNOUNCEMENT', 'STATE', 'GIT DATA', 'MISSING', 'SYNCED', 'PURGATORY', 'LAST FETCH'],
    repos.map((r) => [
      r.d, `${r.npub.slice(0, 14)}…`, r.announcement, r.state, r.gitData, String(r.missingOids.length),
      r.sync ? `${r.sync.confirmed}/${r.sync.relays.length}` : '-',
      r.purgatoryReasons.length === 0 ? '-' : `${r.purgatoryReasons.length}: ${r.purgatoryReasons[0]}`,
      r.fetch?.lastAttemptAt ? `${relative(r.fetch.lastAttemptAt, now)} ${r.fetch.lastOutcome ?? ''}${r.fetch.lastError ? `: ${r.fetch.lastError}` : ''}` : r.fetch?.pendingJobs ? `${r.fetch.pendingJobs} pending` : '-',
    ]),
  );
}

export function summary(s: StatusReport, now: number): string {
  const t = s.totals;
  const connected = s.relays.filter((r) => r.connection === 'connected').length;
  const lines = [
    `graspd ${s.version} at ${s.domain} (report ${relative(s.generatedAt, now)})`,
    `events       ${t.events}`,
    `repositories ${t.repos} (${t.reposIncomplete} incomplete)`,
    `purgatory    ${t.purgatory} held events${s.purgatory.oldestAddedAt ? `, oldest ${relative(s.purgatory.oldestAddedAt, now)}` : ''}`,
    `connections  ${t.connections}`,
    `disk         ${gb(t.diskFreeBytes)} free of ${gb(t.diskTotalBytes)}`,
    `sync         ${s.sync.enabled ? `on: ${s.relays.length} relays, ${connected} connected, ${s.relays.filter((r) => r.health === 'dead').length} dead` : 'off'}`,
  ];
  return lines.map((l) => l.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')).join('\n');
}

export async function statusCommand(argv: string[], io: Io): Promise<number> {
  const a = args(argv, 'usage: graspd status [--url URL] [--json]');
  const s = await fetchStatus(a);
  io.out(a.flag('json') ? JSON.stringify(s, null, 2) + '\n' : summary(s, Date.now()) + '\n');
  return 0;
}

export async function relaysCommand(argv: string[], io: Io): Promise<number> {
  const a = args(argv, 'usage: graspd relays [--url URL] [--json]');
  const s = await fetchStatus(a);
  if (a.flag('json')) io.out(JSON.stringify(s.relays, null, 2) + '\n');
  else io.out((s.sync.enabled ? relaysTable(s.relays, Date.now()) : 'sync is off on this server') + '\n');
  return 0;
}

export async function reposCommand(argv: string[], io: Io): Promise<number> {
  const a = args(argv, 'usage: graspd repos [--incomplete] [--url URL] [--json]', ['incomplete']);
  const s = await fetchStatus(a);
  const repos = a.flag('incomplete') ? s.repos.filter((r) => r.incomplete) : s.repos;
  if (a.flag('json')) io.out(JSON.stringify(repos, null, 2) + '\n');
  else io.out(reposTable(repos, Date.now()) + (s.reposTruncated ? `\n(only the first ${s.repos.length} of ${s.totals.repos} repositories are listed)` : '') + '\n');
  return 0;
}
