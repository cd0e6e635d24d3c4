// Refusing a whole push before git runs, so that `git push` shows one line: the receive-pack advertisement is
// answered with a smart-HTTP ERR packet ("remote error: …"); a receive-pack POST gets a report-status that
// refuses every ref it names (with side-band when the client asked for it).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FLUSH, pktLine, readPushCommands, rejectionReport } from './pkt-line.js';

export function isPushRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return /\/git-receive-pack$/.test(url.split('?')[0] ?? '') || /[?&]service=git-receive-pack(&|$)/.test(url);
}

const HEADERS = { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-cache' };

export async function refusePush(req: IncomingMessage, res: ServerResponse, reason: string): Promise<void> {
  const oneLine = reason.replace(/[\r\n]+/g, ' ');
  if (req.method === 'GET') {
    res.writeHead(200, { ...HEADERS, 'Content-Type': 'application/x-git-receive-pack-advertisement' });
    res.end(Buffer.concat([pktLine('# service=git-receive-pack\n'), FLUSH, pktLine(`ERR ${oneLine}\n`)]));
    return;
  }
  const enc = String(req.headers['content-encoding'] ?? '').toLowerCase();
  const body: Readable = enc === 'gzip' || enc === 'x-gzip' ? req.pipe(createGunzip()) : req;
  try {
    const cmds = await readPushCommands(body);
    res.writeHead(200, { ...HEADERS, 'Content-Type': 'application/x-git-receive-pack-result' });
    res.end(rejectionReport(cmds.updates, cmds.capabilities, oneLine));
  } catch {
    res.writeHead(403, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${oneLine}\n`);
  }
  // the rest of the pack is not read: once the answer is out, drop the connection rather than drain it
  res.once('finish', () => req.destroy());
}
