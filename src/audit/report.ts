// Audit results → a plain-text table and an exit status (pure).
import { REQUIREMENTS, type Level, type RequirementRef } from './requirements.js';

export type Status = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  ref: RequirementRef | 'cleanup';
  check: string;
  status: Status;
  detail?: string;
}

export function levelOf(r: CheckResult): Level | 'INFO' {
  return r.ref === 'cleanup' ? 'INFO' : (REQUIREMENTS.get(r.ref)?.level ?? 'INFO');
}

export function mustFailures(results: readonly CheckResult[]): CheckResult[] {
  return results.filter((r) => r.status === 'fail' && levelOf(r) === 'MUST');
}

/** 0 only when no MUST check failed. */
export function exitStatus(results: readonly CheckResult[]): 0 | 1 {
  return mustFailures(results).length === 0 ? 0 : 1;
}

/** Remote text (error messages, relay answers) is shown on one line, control characters dropped, bounded. */
export function oneLine(s: string, max = 160): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

export function renderReport(target: string, results: readonly CheckResult[]): string {
  const lines: string[] = [`GRASP conformance audit of ${target}`, ''];
  const order: string[] = [];
  for (const r of results) if (!order.includes(r.ref)) order.push(r.ref);
  for (const ref of order) {
    const req = REQUIREMENTS.get(ref);
    lines.push(req ? `${ref}  ${req.level}  ${req.text}` : `${ref}  (not a requirement: housekeeping)`);
    for (const r of results.filter((x) => x.ref === ref)) {
      const detail = r.detail ? ` — ${oneLine(r.detail)}` : '';
      lines.push(`  ${r.status.toUpperCase().padEnd(4)}  ${r.check}${detail}`);
    }
  }
  const count = (s: Status): number => results.filter((r) => r.status === s).length;
  const failedMust = mustFailures(results).length;
  lines.push('', `${count('pass')} passed, ${count('fail')} failed (${failedMust} MUST), ${count('skip')} skipped`);
  lines.push(failedMust === 0 ? 'result: every MUST check passed' : 'result: NOT CONFORMANT (a MUST check failed)');
  return lines.join('\n');
}
