// The ONLY place graspd spawns `git` (GRASP-01 "git smart HTTP"). Argument arrays, never a shell;
// a clean environment (no system/global config, empty HOME, no prompts); every child has a timeout
// and is always reaped. Repos are bare; commands name them with --git-dir.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { Slots } from './slots.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZERO_OID, isOid } from './state-refs.js';

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_CAPTURE_BYTES = 64 * 1024 * 1024;

let emptyHome: string | undefined;
/** An empty HOME for git children: one fixed directory per user, so starts leave nothing behind. */
function home(): string {
  if (emptyHome === undefined) {
    const dir = join(tmpdir(), `graspd-git-home-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    emptyHome = dir;
  }
  return emptyHome;
}

/** Environment for every git child: nothing inherited but PATH. */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home(),
    XDG_CONFIG_HOME: home(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

export interface StreamingGit {
  child: ChildProcessWithoutNullStreams;
  /** resolves with the exit code (or null when killed) once the child is reaped */
  exited: Promise<number | null>;
  kill(): void;
}

/** How many git children run at once (--git-max-processes); the others wait for a slot. */
const processSlots = new Slots(32);

export function setMaxGitProcesses(n: number): void {
  processSlots.setMax(n);
}

export function gitProcessLoad(): { active: number; waiting: number } {
  return { active: processSlots.active, waiting: processSlots.waiting };
}

/**
 * Spawns git with piped stdio for streaming (smart HTTP) once a process slot is free; the caller pipes and must
 * call kill() on abort. The slot is given back when the child is reaped.
 */
export async function spawnGit(args: string[], opts: { env?: Record<string, string>; timeoutMs: number; unmetered?: boolean }): Promise<StreamingGit> {
  // `unmetered`: a test harness playing the client or another server, whose git is not this server's work
  const release = opts.unmetered ? () => {} : (await processSlots.acquire())!;
  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn('git', args, { env: gitEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    release();
    throw err;
  }
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const timer = setTimeout(kill, opts.timeoutMs);
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => { clearTimeout(timer); resolve(code); });
    child.once('error', () => { clearTimeout(timer); resolve(null); });
  });
  void exited.then(release);
  // a client that disconnects makes writes to stdin fail; the exit code tells the story
  child.stdin.on('error', () => {});
  return { child, exited, kill };
}

export interface GitResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs git to completion, capturing output (bounded). */
export async function runGit(args: string[], opts: { input?: string; timeoutMs?: number; env?: Record<string, string>; unmetered?: boolean } = {}): Promise<GitResult> {
  const g = await spawnGit(args, { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, ...(opts.env ? { env: opts.env } : {}), ...(opts.unmetered ? { unmetered: true } : {}) });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let size = 0;
  const collect = (into: Buffer[]) => (b: Buffer): void => {
    size += b.length;
    if (size > MAX_CAPTURE_BYTES) g.kill();
    else into.push(b);
  };
  g.child.stdout.on('data', collect(out));
  g.child.stderr.on('data', collect(err));
  g.child.stdin.end(opts.input ?? '');
  const code = await g.exited;
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

async function mustGit(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await runGit(args, opts);
  if (r.code !== 0) throw new Error(`git ${args[0] === '--git-dir' ? args[2] : args[0]} failed (${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
  return r.stdout;
}

const gd = (dir: string): string[] => ['--git-dir', dir];

/** Per-repo settings (grasp-requirements.md 5.2), also passed with -c on each serving command. */
export const REPO_CONFIG: ReadonlyArray<[string, string]> = [
  ['uploadpack.allowFilter', 'true'],
  ['uploadpack.allowTipSHA1InWant', 'true'],
  ['uploadpack.allowReachableSHA1InWant', 'true'],
  ['receive.denyNonFastForwards', 'false'],
  ['receive.denyDeleteCurrent', 'ignore'],
  ['receive.fsckObjects', 'true'],
  ['http.receivepack', 'true'],
  // an auto-gc after receive-pack must not detach: every child is reaped
  ['gc.autoDetach', 'false'],
  // pushes and fetches land as packs, never as loose objects; graspd's own maintenance replaces gc --auto
  ['receive.unpackLimit', '1'],
  ['fetch.unpackLimit', '1'],
  ['transfer.unpackLimit', '1'],
  ['receive.autogc', 'false'],
  ['gc.auto', '0'],
];

/** `[section]\n\tkey = value` lines for settings named `section.key` (section names without subsections). */
export function configFileSection(settings: ReadonlyArray<[string, string]>): string {
  const bySection = new Map<string, string[]>();
  for (const [name, value] of settings) {
    const dot = name.lastIndexOf('.');
    const section = name.slice(0, dot);
    const lines = bySection.get(section) ?? [];
    lines.push(`\t${name.slice(dot + 1)} = ${value}`);
    bySection.set(section, lines);
  }
  return [...bySection].map(([section, lines]) => `[${section}]\n${lines.join('\n')}\n`).join('');
}

export function configArgs(): string[] {
  return REPO_CONFIG.flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

/** Creates a bare repo at `dir` atomically (init in a sibling temp dir, then rename). */
export async function initBareRepo(dir: string): Promise<void> {
  const tmp = `${dir}.init-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await mustGit(['init', '--bare', '--quiet', '--template=', '--initial-branch=main', '--', tmp]);
    // one git process per new repository, not one per setting: the settings are appended to its config file
    appendFileSync(join(tmp, 'config'), configFileSection(REPO_CONFIG));
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** All refs (not HEAD) → oid. */
export async function listRefs(dir: string): Promise<Map<string, string>> {
  const out = await mustGit([...gd(dir), 'for-each-ref', '--format=%(objectname) %(refname)']);
  const refs = new Map<string, string>();
  for (const line of out.split('\n')) {
    const i = line.indexOf(' ');
    if (i > 0) refs.set(line.slice(i + 1), line.slice(0, i));
  }
  return refs;
}

/** The symbolic target of HEAD, e.g. `refs/heads/main`. */
export async function getHead(dir: string): Promise<string | undefined> {
  const r = await runGit([...gd(dir), 'symbolic-ref', '-q', 'HEAD']);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

export async function setHead(dir: string, ref: string): Promise<void> {
  await mustGit([...gd(dir), 'symbolic-ref', 'HEAD', ref]);
}

/** The subset of `oids` present in the object database. */
export async function hasObjects(dir: string, oids: readonly string[]): Promise<Set<string>> {
  const valid = [...new Set(oids)].filter(isOid);
  if (valid.length === 0) return new Set();
  const out = await mustGit([...gd(dir), 'cat-file', '--batch-check=%(objectname)'], { input: valid.join('\n') + '\n' });
  return new Set(out.split('\n').filter(isOid));
}

export interface RefWrite {
  ref: string;
  /** ZERO_OID deletes */
  new: string;
}

/** Applies all updates in one transaction (`update-ref -z --stdin`). */
export async function updateRefs(dir: string, updates: readonly RefWrite[]): Promise<void> {
  if (updates.length === 0) return;
  const input = updates
    .map((u) => (u.new === ZERO_OID ? `delete ${u.ref}\0\0` : `update ${u.ref}\0${u.new}\0\0`))
    .join('');
  await mustGit([...gd(dir), 'update-ref', '-z', '--stdin'], { input });
}

/** Copies the objects reachable from `oids` from another local repo of this server (no refs written). */
export async function copyObjects(fromDir: string, toDir: string, oids: readonly string[], timeoutMs: number): Promise<void> {
  const wanted = [...new Set(oids)].filter(isOid);
  if (wanted.length === 0) return;
  await mustGit(
    [...gd(toDir), '-c', 'protocol.file.allow=always', 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', fromDir, ...wanted],
    { timeoutMs },
  );
}

const LOW_PRIORITY = ['/usr/bin/ionice', '/bin/ionice'].some(existsSync) && ['/usr/bin/nice', '/bin/nice'].some(existsSync)
  ? ['ionice', '-c', '3', 'nice', '-n', '19']
  : ['/usr/bin/nice', '/bin/nice'].some(existsSync) ? ['nice', '-n', '19'] : [];

/** Runs git to completion at idle CPU and I/O priority (background maintenance); output is discarded except stderr's head. */
export async function runGitLowPriority(args: string[], opts: { timeoutMs: number }): Promise<GitResult> {
  const release = (await processSlots.acquire())!;
  try {
    return await runLowPriority(args, opts);
  } finally {
    release();
  }
}

async function runLowPriority(args: string[], opts: { timeoutMs: number }): Promise<GitResult> {
  const [cmd, ...pre] = [...LOW_PRIORITY, 'git'];
  const child = spawn(cmd as string, [...pre, ...args], { env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => { if (stdout.length < 65_536) stdout += b.toString('utf8'); });
  child.stderr.on('data', (b: Buffer) => { if (stderr.length < 65_536) stderr += b.toString('utf8'); });
  const timer = setTimeout(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); }, opts.timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    child.once('close', (c) => resolve(c));
    child.once('error', () => resolve(null));
  });
  clearTimeout(timer);
  return { code, stdout, stderr };
}
