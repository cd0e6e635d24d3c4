// Real graspd child processes for multi-process sync tests: free port picked by binding port 0 briefly,
// readiness by polling NIP-11, stop by SIGTERM (same data dir can be restarted), cleanup via t.after.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

/** Fast sync timings for tests (each can be overridden by a later flag). */
export const FAST_SYNC = [
  '--allow-private-addresses', '--sync-batch-window-ms', '200', '--sync-health-interval-ms', '200',
  '--sync-backoff-base-ms', '200', '--sync-backoff-max-ms', '2000', '--sync-connect-timeout-ms', '2000',
  '--sync-rate-limit-cooldown-ms', '1000', '--verify-workers', '0', '--purgatory-expiry-ms', '600000',
  // the CI machine's free disk is not the test's business (the quota tests set their own)
  '--min-free-disk-bytes', '0',
];

export interface GraspdOptions {
  args?: string[];
  dataDir?: string;
  port?: number;
  /** public host:port (default 127.0.0.1:<port>) */
  domain?: string;
  /** extra environment (e.g. NODE_OPTIONS for a small heap) */
  env?: Record<string, string>;
}

export interface Graspd {
  port: number;
  /** host:port of the public domain */
  domain: string;
  /** ws://127.0.0.1:<port> (direct) */
  relayUrl: string;
  httpUrl: string;
  dataDir: string;
  proc: ChildProcess;
  output: string[];
  /** SIGTERM and wait for exit; keeps the data dir */
  stop(): Promise<void>;
  /** same port, data dir and args */
  restart(): Promise<Graspd>;
  /** stop and remove the data dir */
  dispose(): Promise<void>;
}

export async function startGraspd(opts: GraspdOptions = {}): Promise<Graspd> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'graspd-sync-'));
  const domain = opts.domain ?? `127.0.0.1:${port}`;
  const args = [CLI, '--host', '127.0.0.1', '--port', String(port), '--domain', domain, '--data-dir', dataDir, ...FAST_SYNC, ...(opts.args ?? [])];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GRASPD_LOG_LEVEL: process.env.GRASPD_TEST_LOG ?? 'info', ...opts.env } });
  const output: string[] = [];
  const keep = (d: Buffer): void => {
    output.push(d.toString());
    if (output.length > 5000) output.splice(0, 1000);
    if (process.env.GRASPD_TEST_ECHO) process.stderr.write(`[${port}] ${d.toString()}`);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const httpUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`graspd exited: ${output.join('')}`);
    try {
      const r = await fetch(httpUrl, { headers: { Accept: 'application/nostr+json' }, signal: AbortSignal.timeout(1000) });
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`graspd not ready: ${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
  };
  return {
    port, domain, relayUrl: `ws://127.0.0.1:${port}`, httpUrl, dataDir, proc, output, stop,
    restart: async () => {
      await stop();
      return startGraspd({ ...opts, port, dataDir, domain });
    },
    dispose: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `cond` until true or the deadline; throws with `what` on timeout. */
export async function waitUntil(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
