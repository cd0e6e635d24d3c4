// The /status page (pure): server-rendered HTML, no JavaScript, refreshes itself. Every value that can
// come from outside (identifiers, names, relay URLs, error texts) goes through escapeHtml.
import { escapeHtml } from '../http/html.js';
import type { RelayStatus, RepoStatus, StatusReport } from './types.js';

export const STATUS_REFRESH_SECONDS = 15;

const e = escapeHtml;

export function ago(iso: string | undefined, nowMs: number): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const s = Math.round((t - nowMs) / 1000);
  const abs = Math.abs(s);
  const span = abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : abs < 172800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} d`;
  return s > 0 ? `in ${span}` : s === 0 ? 'now' : `${span} ago`;
}

export function bytes(n: number | undefined): string {
  if (n === undefined) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

const cell = (text: string, cls?: string): string => `<td${cls ? ` class="${cls}"` : ''}>${e(text)}</td>`;

function relayRow(r: RelayStatus, now: number): string {
  const conn = r.connection === 'connected' ? 'ok' : r.connection === 'connecting' ? 'warn' : 'bad';
  const health = r.health === 'healthy' ? 'ok' : r.health === 'dead' ? 'bad' : 'warn';
  const filters = `${r.liveFilters} live + ${r.historicSubscriptions} historic / ${r.filterCapacity}`;
  const err = r.lastError ? `${r.lastError}${r.lastErrorAt ? ` (${ago(r.lastErrorAt, now)})` : ''}` : '';
  return `<tr>${cell(r.url, 'mono')}${cell(r.connection, conn)}${cell(r.health, health)}${cell(String(r.failures))}${cell(ago(r.nextAttemptAt, now))}${cell(
    String(r.repos),
  )}${cell(filters)}${cell(`${r.pendingHistoricBatches}${r.firstSyncDone ? '' : ' (first sync)'}`)}${cell(ago(r.lastEventAt, now))}${cell(
    `${bytes(r.bytesIn)} / ${bytes(r.bytesOut)}`,
  )}${cell(r.nip77 === null ? 'unknown' : r.nip77 ? 'yes' : 'no')}${cell(err, 'err')}</tr>`;
}

function syncText(c: RepoStatus['sync']): string {
  if (!c) return '—';
  const missing = c.relays.filter((r) => !r.confirmed).map((r) => r.url);
  return `${c.confirmed} of ${c.relays.length} relays confirmed${c.level === 'stateOnly' ? ' (state only)' : ''}${missing.length ? `; waiting: ${missing.join(', ')}` : ''}`;
}

function fetchText(f: RepoStatus['fetch'], now: number): string {
  if (!f) return '—';
  const parts: string[] = [];
  if (f.pendingJobs > 0) parts.push(`${f.pendingJobs} pending, ${f.attempts} attempts, next ${ago(f.nextAttemptAt, now)}`);
  if (f.lastAttemptAt) parts.push(`last ${ago(f.lastAttemptAt, now)}: ${f.lastOutcome ?? '?'} from ${f.lastAttemptUrl ?? '?'}`);
  if (f.lastError) parts.push(`error: ${f.lastError}`);
  return parts.join('; ');
}

function repoRow(r: RepoStatus, now: number): string {
  const href = `/${encodeURIComponent(r.npub)}/${encodeURIComponent(r.d)}.git`;
  const title = r.name && r.name !== r.d ? `${r.name} (${r.d})` : r.d;
  const place = (p: string): string => (p === 'served' || p === 'complete' ? 'ok' : p === 'none' || p === 'no-state' ? '' : 'warn');
  const missing = r.missingOids.length === 0 ? '—' : `${r.missingOids.length}: ${r.missingOids.slice(0, 3).map((o) => o.slice(0, 10)).join(', ')}${r.missingOids.length > 3 ? ', …' : ''}`;
  return `<tr class="${r.incomplete ? 'incomplete' : 'complete'}"><td><a href="${e(href)}">${e(title)}</a><br><span class="mono small">${e(r.npub.slice(0, 16))}…</span></td>${cell(
    r.announcement,
    place(r.announcement),
  )}${cell(r.state, place(r.state))}${cell(r.gitData, place(r.gitData))}${cell(missing, 'mono')}<td>${
    r.purgatoryReasons.length ? `<ul>${r.purgatoryReasons.map((x) => `<li>${e(x)}</li>`).join('')}</ul>` : '—'
  }</td>${cell(fetchText(r.fetch, now))}${cell(syncText(r.sync))}</tr>`;
}

export function renderStatusPage(s: StatusReport, nowMs: number): string {
  const t = s.totals;
  const totals: Array<[string, string]> = [
    ['Events stored', String(t.events)],
    ['Repositories', String(t.repos)],
    ['Incomplete repositories', String(t.reposIncomplete)],
    ['Held in purgatory', String(t.purgatory)],
    ['Open connections', String(t.connections)],
    ['Disk free', t.diskFreeBytes !== undefined ? `${bytes(t.diskFreeBytes)} of ${bytes(t.diskTotalBytes)}` : '—'],
  ];
  let relays: string;
  if (!s.sync.enabled) relays = '<p>Proactive sync (GRASP-02) is off on this server.</p>';
  else if (!s.sync.reporting) relays = '<p>Sync is on; this build of the sync engine does not report per-relay status yet.</p>';
  else if (s.relays.length === 0) relays = '<p>No remote relays yet.</p>';
  else
    relays = `<table><thead><tr><th>Relay</th><th>Connection</th><th>Health</th><th>Failures</th><th>Next attempt</th><th>Repos</th><th>Filters open / capacity</th><th>Historic batches pending</th><th>Last event</th><th>Bytes in / out</th><th>NIP-77</th><th>Last error</th></tr></thead><tbody>${s.relays
      .map((r) => relayRow(r, nowMs))
      .join('')}</tbody></table>`;
  const repos =
    s.repos.length === 0
      ? '<p>No repositories yet.</p>'
      : `<table><thead><tr><th>Repository</th><th>Announcement</th><th>State</th><th>Git data</th><th>Missing oids</th><th>In purgatory because</th><th>Git fetch</th><th>Sync coverage</th></tr></thead><tbody>${s.repos
          .map((r) => repoRow(r, nowMs))
          .join('')}</tbody></table>${s.reposTruncated ? `<p>Only the first ${s.repos.length} of ${t.repos} repositories are listed (incomplete ones first).</p>` : ''}`;
  const p = s.purgatory;
  const kv = (o: Record<string, number>): string =>
    Object.keys(o).length === 0 ? '—' : `<ul>${Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => `<li>${e(k)}: ${v}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${STATUS_REFRESH_SECONDS}">
<title>${e(`Status — ${s.domain}`)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;line-height:1.4;color:#222}
table{border-collapse:collapse;margin-bottom:1rem}td,th{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#f4f4f4}.mono{font-family:ui-monospace,monospace}.small{font-size:.8em;color:#666}
.ok{color:#11713a}.warn{color:#9a6700}.bad{color:#b00020}.err{color:#b00020;max-width:24rem;overflow-wrap:anywhere}
tr.incomplete{background:#fff8e6}ul{margin:0;padding-left:1.1rem}</style>
</head><body>
<h1>Status of ${e(s.domain)}</h1>
<p>graspd ${e(s.version)} · generated ${e(s.generatedAt)} · this page refreshes every ${STATUS_REFRESH_SECONDS} s · <a href="/api/status">JSON</a> · <a href="/">home</a></p>
<h2>Totals</h2>
<table><tbody>${totals.map(([k, v]) => `<tr><th>${e(k)}</th>${cell(v)}</tr>`).join('')}</tbody></table>
<h2>Remote relays (sync)</h2>
${relays}
<h2>Repositories</h2>
${repos}
<h2>Purgatory</h2>
<table><tbody><tr><th>Held events</th>${cell(String(p.total))}</tr><tr><th>By kind</th><td>${kv(p.byKind)}</td></tr><tr><th>By reason</th><td>${kv(p.byReason)}</td></tr><tr><th>Oldest</th>${cell(ago(p.oldestAddedAt, nowMs))}</tr></tbody></table>
</body></html>`;
}
