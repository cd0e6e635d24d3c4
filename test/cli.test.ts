// The graspd command: --help, exit 2 on bad options, env vars, readiness via NIP-11, clean SIGTERM exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { OPTIONS } from '../src/config/schema.js';

const CLI = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'dist', 'cli.js');

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('--help lists every option with its default and exits 0', () => {
  const r = run(['--help']);
  assert.equal(r.status, 0);
  for (const o of OPTIONS) assert.ok(r.stdout.includes(`--${o.flag}`), `help mentions --${o.flag}`);
  assert.ok(r.stdout.includes('GRASPD_SYNC_BATCH_WINDOW_MS'));
});

test('unknown flags and bad values exit 2 with a clear message', () => {
  for (const args of [['--nope'], ['--port', 'abc'], ['--sync-backoff-base-ms', '-5'], ['--bootstrap-relay', 'not a url'], ['--log-level', 'loud']]) {
    const r = run(args);
    assert.equal(r.status, 2, `exit 2 for ${args.join(' ')}`);
    assert.match(r.stderr, /^graspd: /);
  }
  const env = run([], { GRASPD_MAX_LIMIT: 'many' });
  assert.equal(env.status, 2);
  assert.match(env.stderr, /GRASPD_MAX_LIMIT/);
});

test('starts from env options, serves NIP-11 when ready, and exits 0 on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graspd-cli-'));
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, '--data-dir', dir, '--no-sync'], {
    env: { ...process.env, GRASPD_PORT: String(port), GRASPD_MAX_LIMIT: '42' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    let doc: { limitation?: { max_limit?: number } } | undefined;
    for (let i = 0; i < 100 && !doc; i++) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { Accept: 'application/nostr+json' } });
        if (r.ok) doc = (await r.json()) as typeof doc;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.equal(doc?.limitation?.max_limit, 42);
    const t0 = Date.now();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.ok(Date.now() - t0 < 10000);
    assert.match(out, /"msg":"graspd listening"/);
    assert.match(out, /"msg":"stopped"/);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
