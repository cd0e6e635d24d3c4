// Builds a git history fast with `git fast-import` (one git process for thousands of commits): `commits`
// commits on main, each changing one of a few text files (real deltas), and optionally one random blob.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGit } from '../../src/git/git-cli.js';
import { mustGit } from '../../src/git/test-kit.js';

export async function importHistory(work: string, opts: { commits: number; blobBytes?: number; files?: number; seed?: string }): Promise<string> {
  const files = opts.files ?? 8;
  const parts: Buffer[] = [];
  const text = (s: string): void => { parts.push(Buffer.from(s)); };
  const data = (b: Buffer): void => { text(`data ${b.length}\n`); parts.push(b); text('\n'); };
  const contents = Array.from({ length: files }, (_, i) => `${opts.seed ?? ''} file ${i}\n` + randomBytes(600).toString('base64') + '\n');
  for (let i = 0; i < opts.commits; i++) {
    const f = i % files;
    const c = contents[f]!;
    const mid = Math.floor(c.length / 2);
    contents[f] = c.slice(0, mid) + `line ${i} ${randomBytes(24).toString('hex')}\n` + c.slice(mid);
    const t = 1_700_000_000 + i;
    text(`commit refs/heads/main\nauthor T <t@example.com> ${t} +0000\ncommitter T <t@example.com> ${t} +0000\n`);
    data(Buffer.from(`commit ${i}\n`));
    text(`M 100644 inline f${f}.txt\n`);
    data(Buffer.from(contents[f]!));
    if (i === Math.floor(opts.commits / 2) && (opts.blobBytes ?? 0) > 0) {
      text('M 100644 inline blob.bin\n');
      data(randomBytes(opts.blobBytes!));
    }
    text('\n');
  }
  const g = await spawnGit(['-C', work, 'fast-import', '--quiet', '--force'], { timeoutMs: 300_000, unmetered: true });
  let stderr = '';
  g.child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  g.child.stdout.resume();
  g.child.stdin.end(Buffer.concat(parts));
  const code = await g.exited;
  if (code !== 0) throw new Error(`fast-import failed (${code}): ${stderr}`);
  await mustGit(['-C', work, 'reset', '-q', '--hard', 'main']);
  return mustGit(['-C', work, 'rev-parse', 'HEAD']);
}

/** A fresh work repo holding such a history. */
export async function historyRepo(opts: { commits: number; blobBytes?: number; files?: number }): Promise<string> {
  const w = mkdtempSync(join(tmpdir(), 'graspd-history-'));
  await mustGit(['init', '-q', '-b', 'main', w]);
  await importHistory(w, opts);
  return w;
}
