// The process-level backstop, in a real process: a socket error nobody listened for (a peer reset) is logged and
// the process keeps running; a programming error exits non-zero with a log line; rejections are logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { classifyUncaught } from '../../src/app/backstop.js';

const dist = (p: string): string => JSON.stringify(pathToFileURL(resolve(import.meta.dirname, '../../dist', p)).href);

function runScript(body: string): { status: number | null; stdout: string } {
  const script = `
    const { installBackstop } = await import(${dist('app/backstop.js')});
    const { createLogger, flushLogs } = await import(${dist('log/logger.js')});
    const log = createLogger('info');
    installBackstop(log, (code) => { flushLogs(); process.exit(code); });
    ${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout };
}

test('classification: peer network errors and rejections keep serving, anything else is fatal', () => {
  assert.equal(classifyUncaught(Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'uncaughtException'), 'network');
  assert.equal(classifyUncaught(new TypeError('bug'), 'uncaughtException'), 'fatal');
  assert.equal(classifyUncaught(new Error('forgotten catch'), 'unhandledRejection'), 'rejection');
});

test('a reset peer on a socket without an error listener does not stop the process', () => {
  const r = runScript(`
    const net = await import('node:net');
    const server = net.createServer((s) => { setTimeout(() => { for (let i = 0; i < 50; i++) s.write('x'.repeat(65536)); }, 50); });
    server.listen(0, '127.0.0.1', () => {
      const c = net.connect(server.address().port, '127.0.0.1', () => c.resetAndDestroy());
      c.on('error', () => {});
    });
    setTimeout(() => { console.log('still alive'); process.exit(0); }, 1500);`);
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /still serving/);
  assert.match(r.stdout, /still alive/);
});

test('a programming error exits 1 with a log line; an unhandled rejection is logged and the process goes on', () => {
  const fatal = runScript(`setTimeout(() => { null.boom(); }, 10); setTimeout(() => console.log('should not print'), 2000);`);
  assert.equal(fatal.status, 1);
  assert.match(fatal.stdout, /exiting/);
  assert.doesNotMatch(fatal.stdout, /should not print/);
  const rejection = runScript(`Promise.reject(new Error('nobody caught me')); setTimeout(() => { console.log('went on'); process.exit(0); }, 300);`);
  assert.equal(rejection.status, 0);
  assert.match(rejection.stdout, /nobody caught me/);
  assert.match(rejection.stdout, /went on/);
});
