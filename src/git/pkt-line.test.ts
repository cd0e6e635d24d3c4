import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { parseCommandSection, pktLine, readPushCommands, rejectionReport } from './pkt-line.js';

const A = 'a'.repeat(40);
const Z = '0'.repeat(40);
const request = Buffer.concat([
  pktLine(`${Z} ${A} refs/heads/main\0report-status side-band-64k agent=git/2.39\n`),
  pktLine(`${Z} ${A} refs/tags/v1\n`),
  Buffer.from('0000PACKdata'),
]);

test('the command section is parsed, atomic is added to the capabilities and the pack is left over', () => {
  const r = parseCommandSection(request);
  assert.ok(r);
  assert.deepEqual(r.updates, [
    { ref: 'refs/heads/main', old: Z, new: A },
    { ref: 'refs/tags/v1', old: Z, new: A },
  ]);
  assert.deepEqual(r.capabilities, ['report-status', 'side-band-64k', 'agent=git/2.39']);
  assert.equal(r.rest.toString(), 'PACKdata');
  assert.ok(r.prefix.toString().includes('\0report-status side-band-64k agent=git/2.39 atomic\n'));
  assert.ok(r.prefix.toString().endsWith('0000'));
});

test('an incomplete section is undefined and a malformed one throws', () => {
  assert.equal(parseCommandSection(request.subarray(0, 30)), undefined);
  assert.throws(() => parseCommandSection(Buffer.from('0003')));
  assert.throws(() => parseCommandSection(Buffer.concat([pktLine('push-cert\0x\n'), Buffer.from('0000')])));
});

test('commands arriving one byte at a time are read and the stream is left at the pack', async () => {
  const stream = Readable.from([...request].map((b) => Buffer.from([b])));
  const r = await readPushCommands(stream);
  assert.equal(r.updates.length, 2);
  const rest: Buffer[] = [r.rest];
  for await (const c of stream) rest.push(c as Buffer);
  assert.equal(Buffer.concat(rest).toString(), 'PACKdata');
});

test('a rejection is a report-status with one ng line per ref, side-band wrapped when asked', () => {
  const updates = [{ ref: 'refs/heads/main', old: Z, new: A }];
  const plain = rejectionReport(updates, ['report-status'], 'no\nway');
  assert.equal(plain.toString(), '000eunpack ok\n001eng refs/heads/main no way\n0000');
  const sb = rejectionReport(updates, ['report-status', 'side-band-64k'], 'no');
  assert.equal(sb.toString(), `0031\x01000eunpack ok\n001ang refs/heads/main no\n00000000`);
});
