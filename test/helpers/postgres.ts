// A real PostgreSQL for tests: Debian's server binaries (installed by .ci/run when missing) run in a temp
// directory on a free loopback port, as the `postgres` user when the tests run as root (the server refuses
// root). One server per test file; each test gets its own database (`freshDatabase`).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './process.js';

export interface TestPostgres {
  port: number;
  /** postgres://… of the server's `postgres` database */
  adminUrl: string;
  /** a new empty database, its URL */
  freshDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** The directory holding initdb/pg_ctl/postgres, or undefined when PostgreSQL is not installed. */
export function postgresBin(): string | undefined {
  const candidates: string[] = [];
  try {
    for (const v of readdirSync('/usr/lib/postgresql').sort().reverse()) candidates.push(join('/usr/lib/postgresql', v, 'bin'));
  } catch { /* not installed there */ }
  for (const dir of (process.env.PATH ?? '').split(':')) candidates.push(dir);
  return candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'postgres')));
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresMissing(): string | undefined {
  return postgresBin() === undefined ? 'PostgreSQL server binaries not found (Debian package `postgresql`; .ci/run installs it)' : undefined;
}

let dbCounter = 0;

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error(postgresMissing());
  const root = mkdtempSync(join(tmpdir(), 'graspd-pg-'));
  chmodSync(root, 0o755);
  const data = join(root, 'data');
  const asRoot = userInfo().uid === 0;
  const uid = asRoot ? Number(execFileSync('id', ['-u', 'postgres']).toString().trim()) : undefined;
  const gid = asRoot ? Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) : undefined;
  if (asRoot) chownSync(root, uid!, gid!);
  const run = (cmd: string, args: string[]): void => {
    execFileSync(join(bin, cmd), args, { stdio: 'pipe', ...(asRoot ? { uid, gid } : {}), cwd: root });
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
  const port = await freePort();
  const proc: ChildProcess = spawn(join(bin, 'postgres'), [
    '-D', data, '-p', String(port), '-k', root, '-h', '127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
  ], { stdio: ['ignore', 'ignore', 'pipe'], ...(asRoot ? { uid, gid } : {}), cwd: root });
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => { stderr += b.toString(); });
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  for (let i = 0; ; i++) {
    const c = new pg.Client({ connectionString: adminUrl });
    try {
      await c.connect();
      await c.end();
      break;
    } catch {
      await c.end().catch(() => {});
      if (i > 200 || proc.exitCode !== null) throw new Error(`postgres did not start: ${stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    adminUrl,
    async freshDatabase() {
      const name = `t${process.pid}_${++dbCounter}`;
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGINT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
