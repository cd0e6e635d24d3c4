// Plain-text tables for the admin commands (pure): columns padded to the widest cell, remote text on
// one bounded line without control characters (a hostile name cannot move the cursor or fake rows).
import { oneLine } from '../audit/report.js';

export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, maxCell = 60): string {
  const clean = [header, ...rows].map((r) => r.map((c) => oneLine(c, maxCell)));
  const widths = header.map((_, i) => Math.max(...clean.map((r) => (r[i] ?? '').length)));
  return clean.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** ISO time → "12 s ago" / "in 3 min" relative to now. */
export function relative(iso: string | undefined, nowMs: number): string {
  if (iso === undefined) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '-';
  const s = Math.round((t - nowMs) / 1000);
  const a = Math.abs(s);
  const span = a < 90 ? `${a} s` : a < 5400 ? `${Math.round(a / 60)} min` : a < 172800 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
  return s > 0 ? `in ${span}` : s === 0 ? 'now' : `${span} ago`;
}
