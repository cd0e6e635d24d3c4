// The audit's git client: a throwaway work repo, unique commits, pushes and clones over smart HTTP
// with the real `git` (clean environment, no prompts, bounded time).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit, type GitResult } from '../git/git-cli.js';

const IDENTITY = ['-c', 'user.name=grasp-audit', '-c', 'user.email=audit@invalid', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main'];

export class GitProbe {
  readonly root: string;
  readonly work: string;
  private seq = 0;

  constructor(private readonly runId: string, private readonly timeoutMs: number) {
    this.root = mkdtempSync(join(tmpdir(), 'grasp-audit-'));
    this.work = join(this.root, 'work');
  }

  run(args: string[]): Promise<GitResult> {
    return runGit([...IDENTITY, ...args], { timeoutMs: this.timeoutMs });
  }

  private async must(args: string[]): Promise<string> {
    const r = await this.run(args);
    if (r.code !== 0) throw new Error(`git ${args.find((a) => !a.startsWith('-') && a !== this.work) ?? ''} failed: ${r.stderr.trim()}`);
    return r.stdout.trim();
  }

  async init(): Promise<void> {
    await this.must(['init', '-q', this.work]);
  }

  /** A new commit (with one file, so blob filters have something to leave out) on top of `parent`, or a root commit. */
  async commit(parent?: string): Promise<string> {
    const n = ++this.seq;
    const w = ['-C', this.work];
    const content = `grasp-audit ${this.runId} commit ${n}\n`;
    const b = await runGit([...w, 'hash-object', '-w', '--stdin'], { input: content, timeoutMs: this.timeoutMs });
    if (b.code !== 0) throw new Error(`git hash-object failed: ${b.stderr}`);
    const tree = await runGit([...w, 'mktree'], { input: `100644 blob ${b.stdout.trim()}\taudit-${n}.txt\n`, timeoutMs: this.timeoutMs });
    if (tree.code !== 0) throw new Error(`git mktree failed: ${tree.stderr}`);
    return this.must([...w, 'commit-tree', tree.stdout.trim(), ...(parent ? ['-p', parent] : []), '-m', `grasp-audit ${this.runId} #${n}`]);
  }

  /** `git push <url> +<oid>:<ref>`; the caller reads the exit code. */
  async push(url: string, oid: string, ref: string): Promise<GitResult> {
    return this.run(['-C', this.work, 'push', '--porcelain', url, `+${oid}:${ref}`]);
  }

  async lsRemote(url: string): Promise<Map<string, string>> {
    const out = await this.must(['ls-remote', url]);
    const refs = new Map<string, string>();
    for (const line of out.split('\n')) {
      const [oid, ref] = line.split('\t');
      if (oid && ref) refs.set(ref, oid);
    }
    return refs;
  }

  /** Clones into a fresh directory; returns git's result and the directory. */
  async clone(url: string, extra: string[] = []): Promise<{ result: GitResult; dir: string }> {
    const dir = join(this.root, `clone-${++this.seq}`);
    return { result: await this.run(['clone', '-q', ...extra, url, dir]), dir };
  }

  async revParse(dir: string, rev: string): Promise<string | undefined> {
    const r = await this.run(['-C', dir, 'rev-parse', '--verify', '-q', rev]);
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
