// The git commands of GRASP-02 git data sync, all through git-cli.ts (the only spawner). A remote
// fetch runs hardened: only http(s) (GIT_ALLOW_PROTOCOL and protocol.*.allow), no redirects, DNS
// pinned to the checked addresses, `--` before the URL, fsck of every object, no hooks, no
// credentials, no submodules; bounded by a timeout and a size cap on the quarantine directory.
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { runGit, spawnGit } from '../git/git-cli.js';
import type { QuarantineLease } from './quarantine-budget.js';

export const HARDENING: ReadonlyArray<[string, string]> = [
  ['protocol.allow', 'never'],
  ['protocol.https.allow', 'always'],
  ['protocol.http.allow', 'always'],
  ['http.followRedirects', 'false'],
  ['credential.helper', ''],
  ['core.askPass', 'true'],
  ['core.hooksPath', '/dev/null'],
  ['fetch.fsckObjects', 'true'],
  ['submodule.recurse', 'false'],
  ['fetch.recurseSubmodules', 'false'],
  ['fetch.writeCommitGraph', 'false'],
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
  // backstop for a stalled transfer in git-remote-http itself (the timeout below kills the tree sooner)
  ['http.lowSpeedLimit', '1'],
  ['http.lowSpeedTime', '120'],
];

/** Pids of all descendants of `pid` (Linux /proc; empty elsewhere). */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
      // the command name may contain spaces and parentheses: ppid follows the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(n), ppid);
    } catch { /* exited meanwhile */ }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [c, pp] of parent) if (pp === p && !out.includes(c)) { out.push(c); walk(c); }
  };
  walk(pid);
  return out;
}

export const REMOTE_ENV: Readonly<Record<string, string>> = { GIT_ALLOW_PROTOCOL: 'http:https' };

/** A bare quarantine repo whose alternates point at `targetDir`, so objects we have are not downloaded again. */
export async function initQuarantine(dir: string, targetDir: string): Promise<void> {
  const r = await runGit(['init', '--bare', '--quiet', '--template=', '--', dir]);
  if (r.code !== 0) throw new Error(`git init quarantine failed: ${r.stderr.trim()}`);
  await writeFile(join(dir, 'objects', 'info', 'alternates'), resolve(targetDir, 'objects') + '\n');
  // promotion fetches exact oids from here
  const c = await runGit(['--git-dir', dir, 'config', 'uploadpack.allowAnySHA1InWant', 'true']);
  if (c.code !== 0) throw new Error(`git config quarantine failed: ${c.stderr.trim()}`);
}

/** `host:port:addr[,addr]` for http.curloptResolve; IPv6 addresses in brackets. */
export function curlResolve(hostname: string, port: number, addresses: readonly string[]): string | undefined {
  if (isIP(hostname) || addresses.length === 0) return undefined;
  return `${hostname}:${port}:${addresses.map((a) => (isIP(a) === 6 ? `[${a}]` : a)).join(',')}`;
}

function hardening(pin?: string): string[] {
  const cfg = [...HARDENING, ...(pin ? [['http.curloptResolve', pin] as [string, string]] : [])];
  return cfg.flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

export function remoteFetchArgs(quarantine: string, url: string, refspecs: readonly string[], pin?: string): string[] {
  return [
    '--git-dir', quarantine, ...hardening(pin),
    'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules', '--no-auto-gc', '--no-progress',
    '--', url, ...refspecs,
  ];
}

export function lsRemoteArgs(url: string, pin?: string): string[] {
  return [...hardening(pin), 'ls-remote', '--heads', '--tags', '--', url];
}

import { dirBytes } from '../git/dir-bytes.js';
export { dirBytes };

export interface RemoteResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** set when we killed git */
  killed?: 'timeout' | 'too_large' | 'aborted' | 'over_budget';
  /** size of the watched directory afterwards (0 when none is watched) */
  bytes: number;
}

export interface RemoteOptions {
  timeoutMs: number;
  maxBytes: number;
  pin?: string;
  signal?: AbortSignal;
  pollMs?: number;
  /** share of the total quarantine budget of all running fetches */
  lease?: QuarantineLease;
}

const MAX_OUTPUT = 4 * 1024 * 1024;

/** One hardened fetch into the quarantine, watching its object size and the clock. */
export function fetchRemote(quarantine: string, url: string, refspecs: readonly string[], opts: RemoteOptions): Promise<RemoteResult> {
  return runRemote(remoteFetchArgs(quarantine, url, refspecs, opts.pin), join(quarantine, 'objects'), opts);
}

/** The remote's heads and tags (not peeled) → oid. */
export async function lsRemote(url: string, opts: RemoteOptions): Promise<RemoteResult & { refs: Map<string, string> }> {
  const r = await runRemote(lsRemoteArgs(url, opts.pin), undefined, opts);
  const refs = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^([0-9a-f]{40})\t(refs\/(?:heads|tags)\/\S+)$/.exec(line);
    if (m && !m[2].endsWith('^{}')) refs.set(m[2], m[1]);
  }
  return { ...r, refs };
}

async function runRemote(args: string[], watchDir: string | undefined, opts: RemoteOptions): Promise<RemoteResult> {
  const g = await spawnGit(args, { env: { ...REMOTE_ENV }, timeoutMs: opts.timeoutMs + 5_000 });
  let killed: RemoteResult['killed'];
  const kill = (why: NonNullable<RemoteResult['killed']>): void => {
    killed ??= why;
    // git-remote-http is a grandchild holding our pipes: kill the whole tree, children first
    const pid = g.child.pid;
    if (pid !== undefined && g.child.exitCode === null) {
      for (const c of descendants(pid)) {
        try { process.kill(c, 'SIGKILL'); } catch { /* gone */ }
      }
    }
    g.kill();
  };
  const capture = (into: Buffer[]) => {
    let size = 0;
    return (b: Buffer): void => {
      size += b.length;
      if (size <= MAX_OUTPUT) into.push(b);
      else kill('too_large');
    };
  };
  const out: Buffer[] = [];
  const errs: Buffer[] = [];
  g.child.stdout.on('data', capture(out));
  g.child.stderr.on('data', capture(errs));
  g.child.stdin.end();
  const timer = setTimeout(() => kill('timeout'), opts.timeoutMs);
  const onAbort = (): void => kill('aborted');
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let done = false;
  const watch = (async () => {
    while (!done && watchDir !== undefined) {
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
      if (done) break;
      const size = await dirBytes(watchDir);
      const share = opts.lease?.report(size) ?? 'ok';
      if (size > opts.maxBytes || share === 'too_large') kill('too_large');
      else if (share === 'over_budget') kill('over_budget');
    }
  })();
  const code = await g.exited;
  done = true;
  clearTimeout(timer);
  opts.signal?.removeEventListener('abort', onAbort);
  await watch;
  const bytes = watchDir === undefined ? 0 : await dirBytes(watchDir);
  // a fetch faster than the poll is still held to the cap
  if (killed === undefined && (bytes > opts.maxBytes || opts.lease?.report(bytes) === 'too_large')) killed = 'too_large';
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8'), bytes, ...(killed ? { killed } : {}) };
}
