// An HTTP + WebSocket pass-through proxy in front of a real graspd that can rewrite the NIP-11 document
// (to play a server violating one GRASP MUST). WebSocket upgrades are piped as raw TCP.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface BreakingProxy {
  port: number;
  close(): Promise<void>;
}

export async function startBreakingProxy(rewriteNip11: (doc: Record<string, unknown>) => Record<string, unknown>): Promise<BreakingProxy & { setUpstream(port: number): void }> {
  let upstream = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const nip11 = req.url === '/' && (req.headers.accept ?? '').includes('application/nostr+json');
    const up = request({ host: '127.0.0.1', port: upstream, path: req.url, method: req.method, headers: req.headers }, (ur: IncomingMessage) => {
      if (!nip11) {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      ur.on('data', (c: Buffer) => chunks.push(c));
      ur.on('end', () => {
        const doc = rewriteNip11(JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>);
        const body = JSON.stringify(doc);
        const { 'transfer-encoding': _te, ...rest } = ur.headers;
        const headers = { ...rest, 'content-length': String(Buffer.byteLength(body)) };
        res.writeHead(ur.statusCode ?? 502, headers);
        res.end(body);
      });
    });
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = connect(upstream, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      target.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) target.write(head);
      target.pipe(client);
      client.pipe(target);
    });
    for (const s of [client, target]) {
      sockets.add(s);
      s.on('error', () => { client.destroy(); target.destroy(); });
      s.on('close', () => { sockets.delete(s); client.destroy(); target.destroy(); });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    setUpstream: (p) => { upstream = p; },
    close: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
