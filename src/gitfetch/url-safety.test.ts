import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCloneUrl, hostKey, isPrivateAddress, resolveAndCheck } from './url-safety.js';

const strict = { allowPrivate: false };

test('https and http clone URLs on public hosts are accepted and normalised', () => {
  const r = checkCloneUrl('https://GitHub.com/owner/repo.git', strict);
  assert.equal(r.ok, true);
  if (r.ok) {
    assert.equal(r.url, 'https://github.com/owner/repo.git');
    assert.equal(r.hostname, 'github.com');
    assert.equal(r.port, 443);
  }
  const h = checkCloneUrl('http://relay.example.org:8080/npub1x/d.git', strict);
  assert.equal(h.ok && h.port, 8080);
});

test('non-http schemes, local paths and option-like arguments are refused', () => {
  for (const url of [
    'file:///etc/passwd', 'file://localhost/tmp/x.git', 'ext::sh -c touch% /tmp/pwned', 'ext::sh', 'ssh://git@github.com/a/b.git',
    'git@github.com:a/b.git', 'git://github.com/a/b.git', '/local/path', './repo.git', '../x', '-uhack', '--upload-pack=touch /tmp/x',
    'fd::17', 'HTTPS:/example.com/x', '', ' https://example.com/x', 'https://example.com/a b', 'https://example.com/x\n',
    'https://user:pw@example.com/x.git', 'https://example.com\\@evil.com/', 'javascript:alert(1)',
  ]) {
    assert.equal(checkCloneUrl(url, strict).ok, false, url);
    assert.equal(checkCloneUrl(url, { allowPrivate: true }).ok, false, url);
  }
});

test('loopback, private and link-local literal targets are refused unless private addresses are allowed', () => {
  for (const url of [
    'http://127.0.0.1:8080/x.git', 'http://localhost/x.git', 'http://foo.localhost/x.git', 'http://10.1.2.3/x', 'http://192.168.1.1/x',
    'http://172.16.0.1/x', 'http://169.254.169.254/latest', 'http://[::1]/x', 'http://[fe80::1]/x', 'http://[fd00::1]/x',
    'http://[::ffff:127.0.0.1]/x', 'http://0.0.0.0/x', 'http://100.64.0.1/x', 'http://2130706433/x', 'http://0x7f.1/x', 'http://127.1/x',
  ]) {
    assert.equal(checkCloneUrl(url, strict).ok, false, url);
  }
  assert.equal(checkCloneUrl('http://127.0.0.1:8080/x.git', { allowPrivate: true }).ok, true);
  assert.equal(checkCloneUrl('http://[::1]:8080/x.git', { allowPrivate: true }).ok, true);
});

test('isPrivateAddress covers the non-public IPv4 and IPv6 ranges and fails closed', () => {
  for (const ip of [
    '127.0.0.1', '127.255.255.254', '10.0.0.1', '172.31.255.255', '192.168.0.1', '169.254.1.1', '100.64.0.1', '100.127.255.255',
    '0.0.0.0', '0.1.2.3', '224.0.0.1', '255.255.255.255', '192.0.2.1', '198.18.0.1',
    '::', '::1', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fdff::1', '::ffff:10.0.0.1', '::ffff:7f00:1', '64:ff9b::a00:1', '2002:c0a8:101::1',
    'ff02::1', '2001:db8::1', 'not-an-ip', '1.2.3', '::ffff:999.0.0.1',
  ]) {
    assert.equal(isPrivateAddress(ip), true, ip);
  }
  for (const ip of ['1.1.1.1', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2a00:1450::1']) {
    assert.equal(isPrivateAddress(ip), false, ip);
  }
});

test('hostKey is the lower-case hostname without port or brackets', () => {
  assert.equal(hostKey('https://Example.COM:8443/a.git'), 'example.com');
  assert.equal(hostKey('http://[::1]:80/a'), '::1');
  assert.equal(hostKey('not a url'), undefined);
});

test('resolveAndCheck refuses names resolving to loopback unless allowed', async () => {
  const r = await resolveAndCheck('localhost', false);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.refused, true);
  const ok = await resolveAndCheck('localhost', true);
  assert.equal(ok.ok, true);
  assert.equal((await resolveAndCheck('127.0.0.1', false)).ok, false);
  const lit = await resolveAndCheck('127.0.0.1', true);
  assert.deepEqual(lit.ok && lit.addresses, ['127.0.0.1']);
});
