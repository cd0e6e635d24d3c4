import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitStatus, oneLine, renderReport, type CheckResult } from './report.js';

const r = (ref: CheckResult['ref'], status: CheckResult['status'], detail?: string): CheckResult => ({ ref, check: 'c', status, ...(detail ? { detail } : {}) });

test('exit status is 1 only when a MUST check failed', () => {
  assert.equal(exitStatus([r('GRASP-01:nip-11:26', 'pass'), r('GRASP-01:purgatory:22', 'fail'), r('GRASP-01:nostr-relay:18', 'fail'), r('cleanup', 'fail')]), 0);
  assert.equal(exitStatus([r('GRASP-01:nip-11:26', 'pass'), r('GRASP-01:cors:64', 'fail')]), 1);
  assert.equal(exitStatus([r('GRASP-02', 'skip')]), 0);
});

test('remote text in the report is one bounded line without control characters', () => {
  assert.equal(oneLine('a\nb\u001b[31mc\r'), 'a b [31mc');
  assert.equal(oneLine('x'.repeat(500)).length, 160);
  const out = renderReport('http://h', [r('GRASP-01:cors:64', 'fail', 'evil\n  PASS  forged line')]);
  assert.ok(!out.includes('\n  PASS  forged'), out);
  assert.match(out, /0 passed, 1 failed \(1 MUST\), 0 skipped/);
});
