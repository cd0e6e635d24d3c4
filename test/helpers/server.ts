// Starts a real graspd in this process (port 0, temp data dir) for component tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Config } from '../../src/config/load.js';
import { startServer, type RunningServer } from '../../src/app/server.js';
import { createLogger } from '../../src/log/logger.js';
import { TestClient } from './client.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startTestServer(args: string[] = [], opts: { dataDir?: string } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'graspd-test-'));
  const parsed = parseConfig(['--port', '0', '--data-dir', dataDir, '--verify-workers', '1', '--no-sync', '--min-free-disk-bytes', '0', ...args], {});
  if (parsed.type !== 'config') throw new Error('bad test config');
  const config: Config = parsed.config;
  const log = createLogger((process.env.GRASPD_TEST_LOG as 'debug' | undefined) ?? 'silent' as 'info');
  const server = await startServer(config, { log });
  return Object.assign(server, {
    dataDir,
    async stop(o: { keepData?: boolean } = {}) {
      await server.close();
      if (!o.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** A test server plus one connected client, both cleaned up when the test ends. */
export async function serverWithClient(t: { after(fn: () => unknown): void }, args: string[] = []): Promise<{ srv: TestServer; c: TestClient }> {
  const srv = await startTestServer(args);
  t.after(() => srv.stop());
  const c = await TestClient.connect(srv.relayUrl);
  t.after(() => c.close());
  return { srv, c };
}
