// Logging never blocks the server: with stdout a pipe that nobody reads, graspd keeps answering and
// still shuts down on SIGTERM (log lines beyond the buffer are dropped, not waited for).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './helpers/process.js';
import { TestClient } from './helpers/client.js';
import { announcement, newKey } from './helpers/events.js';

const CLI = resolve(import.meta.dirname, '../dist/cli.js');

test('a server whose stdout is never read keeps serving and exits on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'graspd-log-'));
  const port = await freePort();
  // stdout is a pipe we never read from
  const proc = spawn(process.execPath, [CLI, '--port', String(port), '--data-dir', dir, '--no-sync', '--log-level', 'debug', '--verify-workers', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(url, { headers: { Accept: 'application/nostr+json' } })).ok) break;
    } catch {
      if (i > 200) throw new Error('not ready');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const c = await TestClient.connect(`ws://127.0.0.1:${port}`);
  t.after(() => c.close());
  // each announcement goes to purgatory and logs a debug line: far more than a pipe buffer holds
  const anns = Array.from({ length: 500 }, (_, i) => announcement(newKey(), `r${i}`, [`127.0.0.1:${port}`], [['description', 'x'.repeat(300)]]));
  for (const a of anns) c.send(['EVENT', a]);
  const oks = await Promise.all(anns.map((a) => c.waitFor((f) => f[0] === 'OK' && f[1] === a.id, 150_000)));
  assert.ok(oks.every((f) => f[2] === true));
  const r = await fetch(url, { headers: { Accept: 'application/nostr+json' }, signal: AbortSignal.timeout(3000) });
  assert.equal(r.status, 200);
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  proc.kill('SIGTERM');
  const code = await Promise.race([exited, new Promise<string>((res) => setTimeout(() => res('hung'), 10_000))]);
  assert.notEqual(code, 'hung', 'exits within 10 s');
});
