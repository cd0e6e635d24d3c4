// The git commands of GRASP-02 git data sync, all through git-cli.ts (the only spawner). A remote
// fetch runs hardened: only http(s) (GIT_ALLOW_PROTOCOL and protocol.*.allow), no redirects, DNS
// pinned to the checked addresses, `--` before the URL, fsck of every object, no hooks, no
// credentials, no submodules; bounded by a timeout and a size cap on the quarantine directory.
import { readdir, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { runGit, spawnGit } from '../git/git-cli.js';

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
];

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

export function remoteFetchArgs(quarantine: string, url: string, refspecs: readonly string[], pin?: string): string[] {
  const cfg = [...HARDENING, ...(pin ? [['http.curloptResolve', pin] as [string, string]] : [])];
  return [
    '--git-dir', quarantine,
    ...cfg.flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules', '--no-auto-gc', '--no-progress',
    '--', url, ...refspecs,
  ];
}

/** Total size of the files under `dir` (missing files count 0: git renames and deletes while we look). */
export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await dirBytes(p);
    else if (e.isFile()) {
      try {
        total += (await stat(p)).size;
      } catch { /* gone meanwhile */ }
    }
  }
  return total;
}

export interface RemoteFetchResult {
  code: number | null;
  stderr: string;
  /** set when we killed git */
  killed?: 'timeout' | 'too_large' | 'aborted';
  /** size of the quarantine's objects after the fetch */
  bytes: number;
}

export interface RemoteFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  pin?: string;
  signal?: AbortSignal;
  pollMs?: number;
}

/** Runs one hardened remote fetch into the quarantine, watching its size and the clock. */
export async function fetchRemote(quarantine: string, url: string, refspecs: readonly string[], opts: RemoteFetchOptions): Promise<RemoteFetchResult> {
  const objects = join(quarantine, 'objects');
  const g = spawnGit(remoteFetchArgs(quarantine, url, refspecs, opts.pin), { env: { ...REMOTE_ENV }, timeoutMs: opts.timeoutMs + 5_000 });
  let killed: RemoteFetchResult['killed'];
  const kill = (why: NonNullable<RemoteFetchResult['killed']>): void => {
    killed ??= why;
    g.kill();
  };
  const errs: Buffer[] = [];
  let errBytes = 0;
  g.child.stderr.on('data', (b: Buffer) => {
    if (errBytes < 64 * 1024) { errs.push(b); errBytes += b.length; }
  });
  g.child.stdout.resume();
  g.child.stdin.end();
  const timer = setTimeout(() => kill('timeout'), opts.timeoutMs);
  const onAbort = (): void => kill('aborted');
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let done = false;
  const watch = (async () => {
    while (!done) {
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
      if (!done && (await dirBytes(objects)) > opts.maxBytes) kill('too_large');
    }
  })();
  const code = await g.exited;
  done = true;
  clearTimeout(timer);
  opts.signal?.removeEventListener('abort', onAbort);
  await watch;
  const bytes = await dirBytes(objects);
  // a fetch faster than the poll is still held to the cap
  if (killed === undefined && bytes > opts.maxBytes) killed = 'too_large';
  return { code, stderr: Buffer.concat(errs).toString('utf8'), bytes, ...(killed ? { killed } : {}) };
}
