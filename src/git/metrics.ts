// git smart-HTTP metrics (prefix graspd_git_): requests by operation and outcome, bytes each way, time
// per request, push authorisation results. No addresses, repositories or users in labels.
import { prom, registry } from '../metrics/registry.js';

/**
 * info-refs: the ref advertisement before a clone, fetch or push; clone / fetch: an upload-pack POST
 * without / with `have` lines; ls-refs: a protocol-v2 ref listing; push: a receive-pack POST.
 */
export type GitOperation = 'info-refs' | 'clone' | 'fetch' | 'ls-refs' | 'push';
/** ok; rejected: push not authorised; busy: 503, no slot; error: git failed, timeout, bad or too large body */
export type GitOutcome = 'ok' | 'rejected' | 'busy' | 'error';
export type PushAuthorization = 'accepted' | 'rejected' | 'provisional' | 'refused_policy';

export interface GitRequestRecord {
  operation: GitOperation;
  outcome: GitOutcome;
  /** response bytes written, headers included (pack data, advertisements, reports) */
  bytesOut: number;
  /** request body bytes read (as sent, before inflating) */
  bytesIn: number;
}

export const gitMetrics = {
  requests: new prom.Counter({
    name: 'graspd_git_requests_total', help: 'git smart-HTTP requests by operation (info-refs, clone, fetch, ls-refs, push) and outcome (ok, rejected, busy, error)',
    labelNames: ['operation', 'outcome'] as const, registers: [registry],
  }),
  bytesServed: new prom.Counter({ name: 'graspd_git_bytes_served_total', help: 'bytes sent in git HTTP responses', labelNames: ['operation'] as const, registers: [registry] }),
  bytesReceived: new prom.Counter({ name: 'graspd_git_bytes_received_total', help: 'bytes received in git HTTP request bodies', labelNames: ['operation'] as const, registers: [registry] }),
  duration: new prom.Histogram({
    name: 'graspd_git_request_duration_seconds', help: 'time per git HTTP request, from arrival to the end of the response',
    labelNames: ['operation'] as const, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [registry],
  }),
  pushAuthorizations: new prom.Counter({
    name: 'graspd_git_push_authorizations_total', help: 'push authorisation decisions: accepted, rejected (no matching state), provisional (refs/nostr before the PR event), refused_policy (quota, archive, disk)',
    labelNames: ['result'] as const, registers: [registry],
  }),
};

export function recordGitRequest(r: GitRequestRecord, seconds: number): void {
  gitMetrics.requests.inc({ operation: r.operation, outcome: r.outcome });
  if (r.bytesOut > 0) gitMetrics.bytesServed.inc({ operation: r.operation }, r.bytesOut);
  if (r.bytesIn > 0) gitMetrics.bytesReceived.inc({ operation: r.operation }, r.bytesIn);
  gitMetrics.duration.observe({ operation: r.operation }, seconds);
}

export function countPushAuthorization(result: PushAuthorization): void {
  gitMetrics.pushAuthorizations.inc({ result });
}

const HAVE = /[0-9a-f]{4}have [0-9a-f]{40}/;
const LS_REFS = /[0-9a-f]{4}command=ls-refs/;

/** Classifies an upload-pack request by the start of its (inflated) body (pure). */
export function uploadPackOperation(head: string): 'clone' | 'fetch' | 'ls-refs' {
  if (LS_REFS.test(head)) return 'ls-refs';
  return HAVE.test(head) ? 'fetch' : 'clone';
}
