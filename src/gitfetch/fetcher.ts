// GRASP.md "Git data sync" / "Clone URLs are hostile input", the edge: one fetch of one job from one
// URL. URL and DNS checks, then a hardened fetch into a throw-away quarantine repo under
// <dataDir>/tmp (alternates → target, so known objects are not downloaded), the exact wanted oids
// checked there, and only their closure copied into the target (plus refs/nostr/<id> for a PR).
// Whatever the remote sent besides never reaches the target; the quarantine is always deleted.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copyObjects, hasObjects, updateRefs } from '../git/git-cli.js';
import { isSafeRefName } from '../git/state-refs.js';
import { curlResolve, fetchRemote, initQuarantine, lsRemote, type RemoteResult } from './fetch-git.js';
import type { FetchJob, OutcomeKind } from './scheduler.js';
import { checkCloneUrl, resolveAndCheck } from './url-safety.js';
import type { QuarantineBudget } from './quarantine-budget.js';

export interface FetchOutcome {
  kind: OutcomeKind;
  /** counts towards parking the host */
  persistent: boolean;
  /** wanted oids present in the target after this fetch */
  got: string[];
  /** bytes downloaded into the quarantine */
  bytes: number;
  detail: string;
}

export interface FetchOptions {
  dataDir: string;
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
  /** total quarantine bytes of all running fetches (this one takes a lease for its duration) */
  budget?: QuarantineBudget;
}

export const QUARANTINE_PREFIX = 'gitfetch-';

export function quarantineRoot(dataDir: string): string {
  return join(dataDir, 'tmp');
}

/** Classifies a failed fetch by git's stderr (sync-study.md §9.2: match phrases, never bare words like "ssl"). */
export function classifyFailure(stderr: string): { kind: OutcomeKind; persistent: boolean } {
  const s = stderr.toLowerCase();
  if (/not our ref|couldn't find remote ref|no such remote ref|remote error: .*(not found|upload-pack: not)|server does not allow request for unadvertised object/.test(s)) {
    return { kind: 'missing', persistent: false };
  }
  if (/returned error: 3\d\d|redirect/.test(s)) return { kind: 'refused', persistent: false };
  if (/returned error: (404|410|401|403)|repository .* not found|authentication failed|could not read username|terminal prompts disabled/.test(s)) {
    return { kind: 'not_found', persistent: false };
  }
  if (/returned error: 5\d\d|rpc failed|early eof|unexpected disconnect|timed out|timeout|connection reset/.test(s)) {
    return { kind: 'failed', persistent: false };
  }
  if (/could not resolve host|couldn't resolve|name or service not known/.test(s)) return { kind: 'failed', persistent: true };
  if (/ssl certificate|certificate verify|ssl_error|tls connect|gnutls|ssl connect error|unable to get local issuer/.test(s)) {
    return { kind: 'failed', persistent: true };
  }
  if (/failed to connect|connection refused|no route to host|network is unreachable/.test(s)) return { kind: 'failed', persistent: true };
  if (/protocol error|bad band|invalid server response|not a git repository|unknown capability|bad pack header|expected flush|fsck error|invalid packet/.test(s)) {
    return { kind: 'failed', persistent: true };
  }
  return { kind: 'failed', persistent: false };
}

function fail(kind: OutcomeKind, persistent: boolean, detail: string, got: string[] = [], bytes = 0): FetchOutcome {
  return { kind, persistent, got, bytes, detail };
}

function firstLine(stderr: string): string {
  return stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(0, 2).join(' | ').slice(0, 300);
}

/** Fetches the job's missing oids from `url` into the target repo, via a quarantine. Never throws. */
export async function fetchAndPromote(job: FetchJob, url: string, targetDir: string, opts: FetchOptions): Promise<FetchOutcome> {
  const check = checkCloneUrl(url, { allowPrivate: opts.allowPrivate });
  if (!check.ok) return fail('refused', false, check.reason);
  if (!existsSync(join(targetDir, 'objects'))) return fail('failed', false, 'target repo missing');
  const want = [...new Set(job.wantOids)];
  const refTarget = job.refTarget !== undefined && isSafeRefName(job.refTarget) ? job.refTarget : undefined;
  let present: Set<string>;
  try {
    present = await hasObjects(targetDir, want);
  } catch (e) {
    return fail('failed', false, `target: ${String(e)}`);
  }
  const missing = want.filter((o) => !present.has(o));
  if (missing.length === 0) {
    try {
      await setPrRef(targetDir, refTarget, want[0], present);
    } catch (e) {
      return fail('failed', false, `target: ${String(e)}`);
    }
    return { kind: 'ok', persistent: false, got: want, bytes: 0, detail: 'already present' };
  }
  const dns = await resolveAndCheck(check.hostname, opts.allowPrivate);
  if (!dns.ok) return fail(dns.refused ? 'refused' : 'failed', !dns.refused, dns.reason);
  const pin = curlResolve(check.hostname, check.port, dns.addresses);

  const root = quarantineRoot(opts.dataDir);
  mkdirSync(root, { recursive: true });
  const quarantine = join(root, `${QUARANTINE_PREFIX}${Date.now()}-${randomBytes(6).toString('hex')}.git`);
  let bytes = 0;
  const lease = opts.budget?.lease();
  try {
    await initQuarantine(quarantine, targetDir);
    const remote = { timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes, ...(pin ? { pin } : {}), ...(opts.signal ? { signal: opts.signal } : {}), ...(lease ? { lease } : {}) };
    const started = Date.now();
    let r: RemoteResult = await fetchRemote(quarantine, check.url, missing.map((o) => `${o}:refs/graspd/want/${o}`), remote);
    bytes += r.bytes;
    let failure = r.killed ? undefined : r.code === 0 ? undefined : classifyFailure(r.stderr);
    if (failure?.kind === 'missing') {
      // git stops at the first oid the remote will not serve (and some servers serve only advertised
      // tips): fetch, by name, the advertised refs that point at a wanted oid — never the whole repo
      const left = (): number => Math.max(1_000, opts.timeoutMs - (Date.now() - started));
      const ls = await lsRemote(check.url, { ...remote, timeoutMs: left() });
      const wanted = new Set(missing);
      const names = [...ls.refs].filter(([, oid]) => wanted.has(oid)).map(([ref]) => ref);
      if (ls.killed) r = ls;
      else if (names.length > 0) {
        r = await fetchRemote(quarantine, check.url, names.map((ref, i) => `${ref}:refs/graspd/tip/${i}`), { ...remote, timeoutMs: left() });
        bytes = Math.max(bytes, r.bytes);
        failure = r.killed || r.code === 0 ? failure : classifyFailure(r.stderr);
      }
    }
    if (r.killed) return fail(r.killed, false, `killed: ${r.killed}`, [], bytes);
    const landed = [...(await hasObjects(quarantine, missing))];
    if (landed.length === 0) {
      return fail(failure?.kind ?? 'missing', failure?.persistent ?? false, failure ? firstLine(r.stderr) : 'remote lacks the wanted oids', [...present], bytes);
    }
    await copyObjects(quarantine, targetDir, landed, opts.timeoutMs);
    const now = await hasObjects(targetDir, want);
    await setPrRef(targetDir, refTarget, want[0], now);
    const got = want.filter((o) => now.has(o));
    const kind: OutcomeKind = got.length === want.length ? 'ok' : 'partial';
    return { kind, persistent: false, got, bytes, detail: kind === 'ok' ? 'fetched' : `partial: ${firstLine(r.stderr) || 'remote lacks some oids'}` };
  } catch (e) {
    return fail('failed', false, String(e instanceof Error ? e.message : e), [], bytes);
  } finally {
    await rm(quarantine, { recursive: true, force: true });
    lease?.release();
  }
}

async function setPrRef(targetDir: string, refTarget: string | undefined, oid: string | undefined, present: Set<string>): Promise<void> {
  if (refTarget === undefined || oid === undefined || !present.has(oid)) return;
  await updateRefs(targetDir, [{ ref: refTarget, new: oid }]);
}
