// `graspd audit` against graspd itself (every MUST passes) and against a graspd behind a proxy that
// breaks one MUST (NIP-11 without supported_grasps): the CLI exits non-zero and names the line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { runAudit } from '../../src/audit/run.js';
import { exitStatus, renderReport } from '../../src/audit/report.js';
import { startTestServer } from '../helpers/server.js';
import { startBreakingProxy } from './breaking-proxy.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => res({ code, stdout, stderr }));
  });
}

test('audit of graspd: every check passes (GRASP-02 skipped when sync is off) and the exit status is 0', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const results = await runAudit({ target: srv.url, timeoutMs: 20_000, settleMs: 10_000 });
  const report = renderReport(srv.url, results);
  const notPassed = results.filter((r) => r.status !== 'pass');
  assert.deepEqual(notPassed.map((r) => `${r.ref} ${r.status}`), ['GRASP-02 skip'], report);
  assert.equal(exitStatus(results), 0);
  // the requirement lines the brief names are all exercised
  for (const ref of ['GRASP-01:nip-11:28', 'GRASP-01:nostr-relay:9', 'GRASP-01:purgatory:22', 'GRASP-01:git-http:36', 'GRASP-01:git-http:39', 'GRASP-01:git-http:56', 'GRASP-01:cors:67']) {
    assert.ok(results.some((r) => r.ref === ref && r.status === 'pass'), `${ref} checked\n${report}`);
  }
  // cleanup: the audit's announcement is deleted again
  assert.ok(results.some((r) => r.ref === 'cleanup' && r.status === 'pass'), report);
});

test('graspd audit exits 1 and names the failed MUST when a server drops supported_grasps from NIP-11', async (t) => {
  const proxy = await startBreakingProxy((doc) => {
    const { supported_grasps: _dropped, ...rest } = doc;
    return rest;
  });
  t.after(() => proxy.close());
  const srv = await startTestServer(['--domain', `127.0.0.1:${proxy.port}`]);
  t.after(() => srv.stop());
  proxy.setUpstream(srv.port);
  const r = await runCli(['audit', `http://127.0.0.1:${proxy.port}`, '--quiet', '--timeout-ms', '20000']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const lines = r.stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith('GRASP-01:nip-11:28'));
  assert.ok(at >= 0 && lines[at + 1]!.trim().startsWith('FAIL'), r.stdout);
  assert.match(r.stdout, /1 failed \(1 MUST\)/);
  assert.match(r.stdout, /NOT CONFORMANT/);
});

test('graspd audit: bad usage exits 2', async () => {
  assert.equal((await runCli(['audit'])).code, 2);
  assert.equal((await runCli(['audit', 'ftp://example.invalid'])).code, 2);
  assert.equal((await runCli(['audit', 'http://127.0.0.1:1', '--bogus'])).code, 2);
});
