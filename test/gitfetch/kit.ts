// Shared steps of the git data sync tests (GRASP.md "Git data sync"): what a git client sees of a repo
// on a server (refs, HEAD symref, a real clone), newer states and PRs with their own commits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign, type Key } from '../helpers/events.js';
import type { Graspd } from '../helpers/process.js';
import { commit, git, mustGit } from '../../src/git/test-kit.js';
import type { NostrEvent } from '../../src/nostr/types.js';
import type { Repo } from '../sync/kit.js';

export const nowSec = (): number => Math.floor(Date.now() / 1000);

export function repoUrl(g: Pick<Graspd, 'httpUrl'>, repo: Pick<Repo, 'owner' | 'd'>): string {
  return `${g.httpUrl}/${repo.owner.npub}/${encodeURIComponent(repo.d)}.git`;
}

/** `git ls-remote` as sorted "oid ref" lines ('' when the repo is missing or empty). */
export async function lsRemote(url: string): Promise<string> {
  const r = await git(['ls-remote', url]);
  if (r.code !== 0) return '';
  return r.stdout.trim().split('\n').filter((l) => l !== '').sort().join('\n');
}

/** Target of the HEAD symref as `git ls-remote --symref` reports it. */
export async function headSymref(url: string): Promise<string | undefined> {
  const r = await git(['ls-remote', '--symref', url, 'HEAD']);
  return /^ref: (\S+)\tHEAD$/m.exec(r.stdout)?.[1];
}

/** Clones into a temp dir and returns the checked-out commit (throws when the clone fails). */
export async function cloneHead(url: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'graspd-clone-'));
  try {
    await mustGit(['clone', '-q', url, join(dir, 'c')]);
    return await mustGit(['-C', join(dir, 'c'), 'rev-parse', 'HEAD']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A newer commit on main and a state (current time) pointing at it. */
export async function advance(repo: Repo, content: string): Promise<Repo> {
  const c = await commit(repo.work, content);
  const st = sign(repo.owner, 30618, [['d', repo.d], ['refs/heads/main', c], ['HEAD', 'ref: refs/heads/main']], '', nowSec());
  return { ...repo, commit: c, state: st };
}

/** A PR (1618) by `key` whose tip is a new commit on a side branch of the repo's work tree. */
export async function prWithTip(key: Key, repo: Repo, title: string, clone: string[]): Promise<{ event: NostrEvent; tip: string }> {
  await mustGit(['-C', repo.work, 'checkout', '-q', '-B', `pr-${title}`, repo.commit]);
  const tip = await commit(repo.work, `pr ${title}`, 'pr.txt');
  await mustGit(['-C', repo.work, 'checkout', '-q', 'main']);
  const event = sign(key, 1618, [['a', `30617:${repo.owner.pk}:${repo.d}`], ['p', repo.owner.pk], ['subject', title], ['c', tip], ['clone', ...clone]], title, nowSec());
  return { event, tip };
}

export async function pushRef(g: Pick<Graspd, 'httpUrl'>, repo: Repo, src: string, dst: string): Promise<void> {
  await mustGit(['-C', repo.work, 'push', '-q', repoUrl(g, repo), `${src}:${dst}`]);
}

/** Value of one sample line of a /metrics text, 0 when absent. */
export async function metricValue(g: Pick<Graspd, 'httpUrl'>, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${g.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
