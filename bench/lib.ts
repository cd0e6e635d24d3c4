// Shared bench plumbing: fast signing (tiny-secp256k1), spawning a graspd process, free ports, RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signSchnorr, xOnlyPointFromScalar } from 'tiny-secp256k1';
import { nip19 } from 'nostr-tools';
import { computeEventId } from '../src/nostr/event.js';
import type { NostrEvent } from '../src/nostr/types.js';

export interface BenchKey {
  sk: Uint8Array;
  pk: string;
  npub: string;
}

export function benchKey(): BenchKey {
  let sk = randomBytes(32);
  while (sk[0] === 0) sk = randomBytes(32);
  const pk = Buffer.from(xOnlyPointFromScalar(sk)).toString('hex');
  return { sk, pk, npub: nip19.npubEncode(pk) };
}

export function signWith(key: BenchKey, kind: number, tags: string[][], content: string, createdAt: number): NostrEvent {
  const e = { pubkey: key.pk, created_at: createdAt, kind, tags, content };
  const id = computeEventId(e);
  return { ...e, id, sig: Buffer.from(signSchnorr(Buffer.from(id, 'hex'), key.sk)).toString('hex') };
}

export function announcementFor(key: BenchKey, d: string, domains: string[], createdAt: number): NostrEvent {
  return signWith(key, 30617, [
    ['d', d],
    ['clone', ...domains.map((h) => `http://${h}/${key.npub}/${d}.git`)],
    ['relays', ...domains.map((h) => `ws://${h}`)],
  ], '', createdAt);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface BenchServer {
  port: number;
  url: string;
  domain: string;
  proc: ChildProcess;
  dataDir: string;
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export async function spawnServer(args: string[] = [], opts: { port?: number; dataDir?: string } = {}): Promise<BenchServer> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'graspd-bench-'));
  const proc = spawn(process.execPath, [CLI, '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(url, { headers: { Accept: 'application/nostr+json' } });
      if (r.ok) break;
    } catch {
      if (i > 300) throw new Error('bench server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    url,
    domain: `127.0.0.1:${port}`,
    proc,
    dataDir,
    async stop() {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** RSS split into anonymous memory (heap, buffers) and file-backed pages (the mapped LMDB file, code). */
export function memoryBreakdownMb(pid: number): { rss: number; anonymous: number; fileBacked: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
  const rss = kb('Rss') / 1024;
  const anonymous = kb('Anonymous') / 1024;
  return { rss, anonymous, fileBacked: rss - anonymous };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
