// git smart HTTP (GRASP-01 git-http:34/56, grasp-requirements.md 3.7, 3.11, 5.2; measurements §8):
// `upload-pack` / `receive-pack --stateless-rpc` spawned directly, bodies streamed both ways (gzip
// request bodies inflated), size cap, per-request timeout, children killed on client abort.
// receive-pack is only started after the push's ref updates were authorised (see pkt-line.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, pipeline, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Logger } from '../log/logger.js';
import type { RefUpdate } from './authorize-push.js';
import { configArgs, spawnGit, type StreamingGit } from './git-cli.js';
import { pktLine, FLUSH, readPushCommands, rejectionReport, wantsReportStatus } from './pkt-line.js';
import { rateGuard, spoolToFile, TooSlow, type RateRule } from './spool.js';
import { createReadStream } from 'node:fs';
import type { Slots } from './slots.js';
import { uploadPackOperation, type GitRequestRecord } from './metrics.js';

export interface GitHttpOptions {
  timeoutMs: number;
  maxBodyBytes: number;
  log: Logger;
  /** receive the pack into a file here before the push takes the repository lock */
  spoolDir?: string;
  /** minimum transfer rate of a push body */
  rate?: RateRule;
  /** git HTTP requests served at once; a request waits at most `queueMs` for its turn, then gets 503 */
  requestSlots?: Slots;
  queueMs?: number;
  /** every request once answered: operation, outcome, bytes, seconds (metrics) */
  observe?(r: GitRequestRecord, seconds: number): void;
}

export interface ReceiveSession {
  decision: { ok: true } | { ok: false; reason: string };
  /** after an authorised receive-pack was reaped, before the response ends */
  finish(exitCode: number | null): Promise<void>;
  /** always called, last */
  release(): void;
  /** receive into this repository instead of the one addressed (provisional refs wait apart) */
  dir?: string;
}

export interface ReceiveHooks {
  /** called once the push's ref updates are read, before any object reaches the repo */
  begin(updates: RefUpdate[]): Promise<ReceiveSession>;
}

export type GitEndpoint = 'info-refs' | 'upload-pack' | 'receive-pack';

export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Git-Protocol, Accept, Content-Encoding, X-Requested-With',
};

const NO_CACHE: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-cache, max-age=0, must-revalidate',
  Pragma: 'no-cache',
  Expires: 'Fri, 01 Jan 1980 00:00:00 GMT',
};

function endResponse(res: ServerResponse): void {
  if (!res.writableEnded) res.end();
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.writableEnded) return;
  if (res.headersSent) { res.destroy(); return; }
  res.writeHead(status, { ...CORS_HEADERS, ...NO_CACHE, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text.endsWith('\n') ? text : text + '\n');
}

function writeGitHead(res: ServerResponse, contentType: string): void {
  if (!res.headersSent) res.writeHead(200, { ...CORS_HEADERS, ...NO_CACHE, 'Content-Type': contentType });
}

/** `Git-Protocol` header → GIT_PROTOCOL env, only well-formed values. */
function protocolEnv(req: IncomingMessage): Record<string, string> {
  const v = req.headers['git-protocol'];
  return typeof v === 'string' && /^[A-Za-z0-9=:._-]{1,200}$/.test(v) ? { GIT_PROTOCOL: v } : {};
}

class BodyTooLarge extends Error {}

function byteLimit(max: number, count?: (n: number) => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      count?.(chunk.length);
      cb(seen > max ? new BodyTooLarge('request body too large') : null, chunk);
    },
  });
}

/** The request body, inflated when gzip'd, capped before and after inflation. */
function requestBody(req: IncomingMessage, max: number, onError: (e: Error) => void, rec?: GitRequestRecord): Readable {
  const enc = String(req.headers['content-encoding'] ?? '').toLowerCase();
  const count = rec ? (n: number): void => void (rec.bytesIn += n) : undefined;
  const stages = enc === 'gzip' || enc === 'x-gzip' ? [byteLimit(max, count), createGunzip(), byteLimit(max)] : [byteLimit(max, count)];
  return pipeline([req, ...stages], (err) => { if (err) onError(err); }) as unknown as Readable;
}

/** Pipes a child's stdout into the response; resolves when the child is reaped and stdout drained. */
async function streamChild(g: StreamingGit, res: ServerResponse, contentType: string, log: Logger): Promise<number | null> {
  let stderr = '';
  g.child.stderr.on('data', (b: Buffer) => { if (stderr.length < 4096) stderr += b.toString('utf8'); });
  g.child.stdout.on('data', (b: Buffer) => {
    writeGitHead(res, contentType);
    if (!res.write(b)) { g.child.stdout.pause(); res.once('drain', () => g.child.stdout.resume()); }
  });
  const drained = new Promise<void>((r) => g.child.stdout.once('close', () => r()));
  const code = await g.exited;
  await drained;
  if (code !== 0) log.debug({ code, stderr: stderr.trim().slice(0, 500) }, 'git child failed');
  // an empty answer is valid (the client's "0000" probe before a large push)
  else writeGitHead(res, contentType);
  return code;
}

export async function handleGitRequest(
  req: IncomingMessage,
  res: ServerResponse,
  route: { endpoint: GitEndpoint; dir: string },
  opts: GitHttpOptions & { receive: ReceiveHooks },
): Promise<void> {
  const started = performance.now();
  const socket = req.socket;
  const written0 = socket.bytesWritten;
  const rec: GitRequestRecord = {
    operation: route.endpoint === 'info-refs' ? 'info-refs' : route.endpoint === 'receive-pack' ? 'push' : 'clone',
    outcome: 'ok', bytesIn: 0, bytesOut: 0,
  };
  try {
    const slot = opts.requestSlots ? await opts.requestSlots.acquire(opts.queueMs ?? 10_000) : () => {};
    if (!slot) {
      rec.outcome = 'busy';
      if (!res.headersSent) {
        res.writeHead(503, { ...CORS_HEADERS, ...NO_CACHE, 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '10' });
        res.end('server busy: too many git requests at once, retry shortly\n');
      }
      return;
    }
    try {
      await serveGitRequest(req, res, route, opts, rec);
    } finally {
      slot();
    }
    if (rec.outcome === 'ok' && res.statusCode >= 400) rec.outcome = 'error';
  } finally {
    // one request at a time per connection: the socket's counter moved by this response's bytes
    rec.bytesOut = Math.max(0, socket.bytesWritten - written0);
    opts.observe?.(rec, (performance.now() - started) / 1000);
  }
}

async function serveGitRequest(
  req: IncomingMessage,
  res: ServerResponse,
  route: { endpoint: GitEndpoint; dir: string },
  opts: GitHttpOptions & { receive: ReceiveHooks },
  rec: GitRequestRecord,
): Promise<void> {
  const children: StreamingGit[] = [];
  const killAll = (): void => children.forEach((c) => c.kill());
  const timer = setTimeout(() => { rec.outcome = 'error'; killAll(); req.destroy(); res.destroy(); }, opts.timeoutMs);
  res.once('close', () => { if (!res.writableFinished) killAll(); });
  try {
    if (route.endpoint === 'info-refs') await infoRefs(req, res, route.dir, opts, children);
    else if (req.method !== 'POST') sendText(res, 405, 'method not allowed');
    else if (Number(req.headers['content-length'] ?? 0) > opts.maxBodyBytes) sendText(res, 413, 'request body too large');
    else if (route.endpoint === 'upload-pack') await uploadPack(req, res, route.dir, opts, children, rec);
    else await receivePack(req, res, route.dir, opts, children, rec);
  } catch (e) {
    rec.outcome = 'error';
    opts.log.warn({ err: (e as Error).message, endpoint: route.endpoint }, 'git request failed');
    sendText(res, e instanceof BodyTooLarge ? 413 : e instanceof TooSlow ? 408 : 400, (e as Error).message);
  } finally {
    clearTimeout(timer);
    killAll();
  }
}

async function infoRefs(req: IncomingMessage, res: ServerResponse, dir: string, opts: GitHttpOptions, children: StreamingGit[]): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed');
  const service = new URL(req.url ?? '/', 'http://x').searchParams.get('service');
  if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
    return sendText(res, 403, 'only the smart HTTP protocol is supported');
  }
  const env = protocolEnv(req);
  // receive-pack has no v2: git falls back to v0 there and expects the service line
  const v2 = service === 'git-upload-pack' && /(^|:)version=2(:|$)/.test(env.GIT_PROTOCOL ?? '');
  if (v2) return v2Capabilities(res, dir, env, opts, children);
  const g = await spawnGit([...configArgs(), service.slice(4), '--stateless-rpc', '--advertise-refs', '--', dir], {
    env: service === 'git-upload-pack' ? env : {},
    timeoutMs: opts.timeoutMs,
  });
  children.push(g);
  g.child.stdin.end();
  const contentType = `application/x-${service}-advertisement`;
  writeGitHead(res, contentType);
  if (!v2) res.write(Buffer.concat([pktLine(`# service=${service}\n`), FLUSH]));
  await streamChild(g, res, contentType, opts.log);
  endResponse(res);
}

/**
 * Protocol v2 starts with a capability advertisement that names no ref: the same bytes for every repository
 * of this server (same git, same settings, SHA-1 repositories). It is produced by git once and then served
 * from memory, which saves one git process per clone and fetch.
 */
let v2Advertisement: Buffer | undefined;

async function v2Capabilities(res: ServerResponse, dir: string, env: Record<string, string>, opts: GitHttpOptions, children: StreamingGit[]): Promise<void> {
  const contentType = 'application/x-git-upload-pack-advertisement';
  if (v2Advertisement === undefined) {
    const g = await spawnGit([...configArgs(), 'upload-pack', '--stateless-rpc', '--advertise-refs', '--', dir], { env, timeoutMs: opts.timeoutMs });
    children.push(g);
    g.child.stdin.end();
    const chunks: Buffer[] = [];
    g.child.stdout.on('data', (b: Buffer) => chunks.push(b));
    g.child.stderr.resume();
    const code = await g.exited;
    if (code !== 0) return sendText(res, 500, 'git upload-pack failed');
    const out = Buffer.concat(chunks);
    if (out.toString('latin1').includes('version 2')) v2Advertisement = out;
    writeGitHead(res, contentType);
    res.end(out);
    return;
  }
  writeGitHead(res, contentType);
  res.end(v2Advertisement);
}

/** how much of an upload-pack body is looked at to tell a clone from a fetch */
const SNIFF_BYTES = 64 * 1024;

async function uploadPack(req: IncomingMessage, res: ServerResponse, dir: string, opts: GitHttpOptions, children: StreamingGit[], rec: GitRequestRecord): Promise<void> {
  const g = await spawnGit([...configArgs(), 'upload-pack', '--stateless-rpc', '--', dir], { env: protocolEnv(req), timeoutMs: opts.timeoutMs });
  children.push(g);
  if (res.destroyed) g.kill();
  const body = requestBody(req, opts.maxBodyBytes, (e) => {
    g.kill();
    if (e instanceof BodyTooLarge) sendText(res, 413, e.message);
  }, rec);
  let head = '';
  const sniff = (b: Buffer): void => {
    head += b.toString('latin1', 0, Math.min(b.length, SNIFF_BYTES - head.length));
    rec.operation = uploadPackOperation(head);
    if (head.length >= SNIFF_BYTES) body.off('data', sniff);
  };
  body.on('data', sniff);
  body.pipe(g.child.stdin);
  const code = await streamChild(g, res, 'application/x-git-upload-pack-result', opts.log);
  if (code !== 0) rec.outcome = 'error';
  if (!res.headersSent && code !== 0) return sendText(res, 500, 'git upload-pack failed');
  endResponse(res);
}

async function receivePack(req: IncomingMessage, res: ServerResponse, dir: string, opts: GitHttpOptions & { receive: ReceiveHooks }, children: StreamingGit[], rec: GitRequestRecord): Promise<void> {
  let failure: Error | undefined;
  // set from a stream callback, so read it through a function (no stale narrowing)
  const bodyError = (): Error | undefined => failure;
  const raw = requestBody(req, opts.maxBodyBytes, (e) => { failure = e; children.forEach((c) => c.kill()); }, rec);
  const body = opts.rate ? raw.pipe(rateGuard(opts.rate)) : raw;
  if (opts.rate) raw.once('error', (e) => body.destroy(e));
  const cmds = await readPushCommands(body);
  // the whole pack is received before the repository is locked: a slow client holds only its own file
  const spooled = opts.spoolDir ? await spoolToFile(body, opts.spoolDir) : undefined;
  const session = await opts.receive.begin(cmds.updates);
  try {
    // the wait for the repo lock may outlive the request (timeout, client gone)
    if (res.destroyed || bodyError()) throw bodyError() ?? new Error('client went away');
    if (!session.decision.ok) {
      rec.outcome = 'rejected';
      if (!spooled) await drain(body);
      if (bodyError()) throw bodyError();
      if (!wantsReportStatus(cmds.capabilities)) return sendText(res, 403, session.decision.reason);
      writeGitHead(res, 'application/x-git-receive-pack-result');
      res.end(rejectionReport(cmds.updates, cmds.capabilities, session.decision.reason));
      return;
    }
    const g = await spawnGit([...configArgs(), 'receive-pack', '--stateless-rpc', '--', session.dir ?? dir], { timeoutMs: opts.timeoutMs });
    children.push(g);
    if (res.destroyed) g.kill();
    g.child.stdin.write(cmds.prefix);
    g.child.stdin.write(cmds.rest);
    if (spooled) createReadStream(spooled.path).pipe(g.child.stdin);
    else body.pipe(g.child.stdin);
    const code = await streamChild(g, res, 'application/x-git-receive-pack-result', opts.log);
    if (code !== 0 || bodyError()) rec.outcome = 'error';
    await session.finish(bodyError() ? null : code);
    if (!res.headersSent) return sendText(res, bodyError() instanceof BodyTooLarge ? 413 : 500, 'git receive-pack failed');
    endResponse(res);
  } finally {
    session.release();
    spooled?.remove();
  }
}

async function drain(body: Readable): Promise<void> {
  body.on('data', () => {});
  body.resume();
  await finished(body).catch(() => {});
}
