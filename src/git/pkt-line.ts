// pkt-line framing for the receive-pack request (gitprotocol-pack "Reference Update Request") and the
// report-status answer, so a push is authorised from its command list BEFORE any of its objects reach
// the repository (GRASP-01 "Pushes"; ecosystem-measurements.md §8 v2 unreachable-object note).
import type { Readable } from 'node:stream';
import type { RefUpdate } from './authorize-push.js';
import { isOid } from './state-refs.js';

export const FLUSH = Buffer.from('0000');
const MAX_COMMAND_SECTION_BYTES = 8 * 1024 * 1024;

export function pktLine(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

export interface PushCommands {
  updates: RefUpdate[];
  capabilities: string[];
  /** the command section re-encoded (with `atomic` added), flush included */
  prefix: Buffer;
  /** bytes already read past the command section (start of the pack) */
  rest: Buffer;
}

/** Parses a command section; returns undefined while it is incomplete, throws when malformed. */
export function parseCommandSection(buf: Buffer): PushCommands | undefined {
  const updates: RefUpdate[] = [];
  const lines: string[] = [];
  let caps: string[] = [];
  let off = 0;
  for (;;) {
    if (buf.length < off + 4) return undefined;
    const len = parseInt(buf.subarray(off, off + 4).toString('latin1'), 16);
    if (Number.isNaN(len) || (len > 0 && len < 4)) throw new Error('bad pkt-line length');
    if (len === 0) { off += 4; break; }
    if (buf.length < off + len) return undefined;
    let line = buf.subarray(off + 4, off + len).toString('utf8');
    off += len;
    if (line.endsWith('\n')) line = line.slice(0, -1);
    if (line.startsWith('shallow ')) { lines.push(line); continue; }
    const nul = line.indexOf('\0');
    if (updates.length === 0 && nul >= 0) {
      caps = line.slice(nul + 1).split(' ').filter(Boolean);
      line = line.slice(0, nul);
    }
    const [old, neu, ref, ...extra] = line.split(' ');
    if (old === undefined || neu === undefined || ref === undefined || extra.length > 0 || !isOid(old) || !isOid(neu)) {
      throw new Error('unsupported push command');
    }
    updates.push({ ref, old, new: neu });
    lines.push(line);
  }
  // all-or-nothing: the authorisation decision covers the whole push, so the update must be too
  const sentCaps = updates.length > 0 && !caps.includes('atomic') ? [...caps, 'atomic'] : caps;
  let first = true;
  const pkts = lines.map((l) => {
    if (l.startsWith('shallow ') || !first) return pktLine(l + '\n');
    first = false;
    return pktLine(`${l}\0${sentCaps.join(' ')}\n`);
  });
  return { updates, capabilities: caps, prefix: Buffer.concat([...pkts, FLUSH]), rest: buf.subarray(off) };
}

/** Reads the command section off a request stream, leaving the stream paused at the pack. */
export function readPushCommands(stream: Readable): Promise<PushCommands> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (err?: Error, cmds?: PushCommands): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.pause();
      if (err) reject(err);
      else if (cmds) resolve(cmds);
    };
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      try {
        const cmds = parseCommandSection(buf);
        if (cmds) done(undefined, cmds);
        else if (buf.length > MAX_COMMAND_SECTION_BYTES) done(new Error('push command section too large'));
      } catch (e) {
        done(e as Error);
      }
    };
    const onEnd = (): void => done(new Error('truncated push request'));
    const onError = (e: Error): void => done(e);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}

/** report-status answer refusing every update with `reason`, side-band wrapped when the client asked. */
export function rejectionReport(updates: readonly RefUpdate[], capabilities: readonly string[], reason: string): Buffer {
  const oneLine = reason.replace(/[\r\n]+/g, ' ').slice(0, 900);
  const report = Buffer.concat([
    pktLine('unpack ok\n'),
    ...updates.map((u) => pktLine(`ng ${u.ref} ${oneLine}\n`)),
    FLUSH,
  ]);
  if (!capabilities.includes('side-band-64k') && !capabilities.includes('side-band')) return report;
  const max = capabilities.includes('side-band-64k') ? 65515 : 995;
  const chunks: Buffer[] = [];
  for (let i = 0; i < report.length; i += max) chunks.push(pktLine(Buffer.concat([Buffer.from([1]), report.subarray(i, i + max)])));
  return Buffer.concat([...chunks, FLUSH]);
}

export function wantsReportStatus(capabilities: readonly string[]): boolean {
  return capabilities.includes('report-status') || capabilities.includes('report-status-v2');
}
