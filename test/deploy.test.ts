// The deployment kit in deploy/: the Grafana dashboard imports (valid JSON, a Prometheus data-source
// input) and queries only metrics graspd exports; the systemd unit is sandboxed (and passes
// `systemd-analyze verify` where available); the proxy examples upgrade WebSockets and pass the real
// client address; the README walks through all of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
// registered by the binary's entry point, not by startServer
import '../src/app/backstop.js';

const read = (p: string): string => readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');

interface Panel { type: string; title: string; targets?: Array<{ expr: string }> }

test('Grafana dashboard: import-ready JSON over metrics graspd exports', async (t) => {
  const dash = JSON.parse(read('deploy/grafana-dashboard.json')) as { __inputs: Array<{ name: string; pluginId: string }>; panels: Panel[]; title: string; uid: string };
  assert.equal(dash.__inputs[0]?.pluginId, 'prometheus');
  assert.ok(dash.title && dash.uid);
  const exprs = dash.panels.flatMap((p) => p.targets ?? []).map((x) => x.expr);
  assert.ok(exprs.length >= 20);
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const exported = new Set(
    (await (await fetch(`${srv.url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!),
  );
  const used = new Set(exprs.flatMap((e) => e.match(/graspd_[a-z0-9_]+/g) ?? []));
  for (const name of used) {
    const base = name.replace(/_(bucket|sum|count)$/, '');
    assert.ok(exported.has(name) || exported.has(base), `${name} is exported`);
  }
  // the metric families are all on the dashboard
  for (const m of ['graspd_git_requests_total', 'graspd_git_bytes_served_total', 'graspd_git_bytes_received_total', 'graspd_git_push_authorizations_total',
    'graspd_git_request_duration_seconds_bucket', 'graspd_ws_connections', 'graspd_ws_client_addresses', 'graspd_ws_connections_refused_total']) {
    assert.ok(used.has(m), `dashboard shows ${m}`);
  }
});

test('systemd unit: sandboxed, state in /var/lib/graspd, trusted local proxy', () => {
  const unit = read('deploy/graspd.service');
  for (const d of ['DynamicUser=yes', 'StateDirectory=graspd', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes',
    'PrivateDevices=yes', 'RestrictAddressFamilies=', 'SystemCallFilter=@system-service', 'CapabilityBoundingSet=', 'GRASPD_TRUSTED_PROXY=']) {
    assert.ok(unit.includes(d), d);
  }
  const analyze = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' });
  if (analyze.status !== 0) return;
  const dir = mkdtempSync(join(tmpdir(), 'graspd-unit-'));
  writeFileSync(join(dir, 'graspd.service'), unit.replace(/^ExecStart=.*$/m, 'ExecStart=/bin/true'));
  const v = spawnSync('systemd-analyze', ['verify', join(dir, 'graspd.service')], { encoding: 'utf8', timeout: 30_000 });
  assert.equal((v.stderr ?? '').split('\n').filter((l) => l.includes('graspd.service')).join('\n'), '', 'systemd-analyze verify is silent about the unit');
});

test('proxy examples: TLS, WebSocket upgrade, real client address, admin API kept local', () => {
  const nginx = read('deploy/nginx.conf');
  for (const s of ['ssl_certificate', 'proxy_set_header Upgrade $http_upgrade', 'proxy_set_header Connection $connection_upgrade',
    'proxy_set_header X-Forwarded-For $remote_addr', 'proxy_request_buffering off', 'location = /api/resync']) {
    assert.ok(nginx.includes(s), s);
  }
  const caddy = read('deploy/Caddyfile');
  for (const s of ['reverse_proxy 127.0.0.1:8080', '/api/resync', 'git.example.org {']) assert.ok(caddy.includes(s), s);
});

test('README: "Deploying graspd" walks through the kit', () => {
  const readme = read('README.md');
  const at = readme.indexOf('## Deploying graspd');
  assert.ok(at >= 0);
  const section = readme.slice(at, readme.indexOf('\n## ', at + 5));
  for (const s of ['deploy/graspd.service', 'deploy/Caddyfile', 'deploy/nginx.conf', 'deploy/grafana-dashboard.json', '--trusted-proxy', 'graspd audit', '/status']) {
    assert.ok(section.includes(s), `section mentions ${s}`);
  }
});
