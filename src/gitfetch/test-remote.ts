// Test harness (used by *.test.ts only): "other servers" for GRASP-02 git data sync. Bare repos
// under a temp root served over plain HTTP on 127.0.0.1:0 by `git http-backend` (CGI), plus a
// hanging route (timeouts) and a redirecting route; and helpers to build repos with real commits.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit, spawnGit } from '../git/git-cli.js';

export interface TestRemote {
  root: string;
  base: string;
  /** requests seen, e.g. 'GET /r.git/info/refs?service=git-upload-pack' */
  requests: string[];
  close(): Promise<void>;
}

async function must(args: string[], input?: string): Promise<string> {
  const r = await runGit(args, { unmetered: true, ...(input === undefined ? {} : { input }) });
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A bare repo at root/name.git with `commits` linear commits on main (the last carrying `blobBytes` of random data). */
export async function makeRepo(root: string, name: string, opts: { commits?: number; blobBytes?: number; tipsOnly?: boolean } = {}): Promise<{ dir: string; commits: string[] }> {
  const dir = join(root, `${name}.git`);
  await must(['init', '--bare', '--quiet', '--template=', '--initial-branch=main', '--', dir]);
  if (!opts.tipsOnly) await must(['--git-dir', dir, 'config', 'uploadpack.allowReachableSHA1InWant', 'true']);
  const commits: string[] = [];
  let parent: string | undefined;
  const n = opts.commits ?? 2;
  for (let i = 0; i < n; i++) {
    const data = i === n - 1 && opts.blobBytes ? randomBytes(opts.blobBytes).toString('base64') : `content ${name} ${i}\n`;
    const blob = await must(['--git-dir', dir, 'hash-object', '-w', '--stdin'], data);
    const tree = await must(['--git-dir', dir, 'mktree'], `100644 blob ${blob}\tfile${i}.txt\n`);
    const env = ['-c', 'user.name=t', '-c', 'user.email=t@example.com'];
    const commit = await must(['--git-dir', dir, ...env, 'commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', `c${i}`]);
    commits.push(commit);
    parent = commit;
  }
  if (parent) await must(['--git-dir', dir, 'update-ref', 'refs/heads/main', parent]);
  return { dir, commits };
}

/** An empty bare target repo (like the server's own). */
export async function makeBare(dir: string): Promise<void> {
  await must(['init', '--bare', '--quiet', '--template=', '--initial-branch=main', '--', dir]);
}

/** Serves `root` with git http-backend; `/hang/*` never answers, `/redirect/*` answers 302 to the same path without the prefix. */
export async function startRemote(): Promise<TestRemote> {
  const root = mkdtempSync(join(tmpdir(), 'graspd-remote-'));
  const requests: string[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => handle(req, res).catch(() => { res.destroy(); }));
  let base = '';
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname.startsWith('/hang/')) { hanging.add(res); return; }
    if (url.pathname.startsWith('/redirect/')) {
      res.writeHead(302, { Location: `${base}${url.pathname.slice('/redirect'.length)}${url.search}` });
      res.end();
      return;
    }
    const env: Record<string, string> = {
      GIT_PROJECT_ROOT: root, GIT_HTTP_EXPORT_ALL: '1', PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1), REQUEST_METHOD: req.method ?? 'GET', CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: '127.0.0.1',
    };
    const proto = req.headers['git-protocol'];
    if (typeof proto === 'string') env.GIT_PROTOCOL = proto;
    const g = await spawnGit(['http-backend'], { env, timeoutMs: 30_000, unmetered: true });
    req.pipe(g.child.stdin);
    let head = Buffer.alloc(0);
    let headerDone = false;
    g.child.stdout.on('data', (b: Buffer) => {
      if (headerDone) { res.write(b); return; }
      head = Buffer.concat([head, b]);
      const sep = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n');
      if (sep < 0) return;
      const sepLen = head[sep] === 13 ? 4 : 2;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, sep).toString('utf8').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i <= 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      headerDone = true;
      res.write(head.subarray(sep + sepLen));
    });
    res.on('close', () => g.kill());
    await g.exited;
    if (!headerDone) res.writeHead(500);
    res.end();
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    root, base, requests,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Every object file in a repo (loose + packs), to prove a failed fetch left nothing behind. */
export async function objectCount(dir: string): Promise<number> {
  const out = await must(['--git-dir', dir, 'count-objects', '-v']);
  const get = (k: string): number => Number(/^(\S+): (\d+)$/m.exec(out.split('\n').filter((l) => l.startsWith(k + ':')).join('\n'))?.[2] ?? 0);
  return get('count') + get('in-pack');
}
