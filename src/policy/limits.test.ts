import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { asAdmitHook, createdAtNotTooFarInFuture, maxContentBytes, maxTags, runRejectHooks } from './limits.js';
import { ev, fakeWorld } from './test-world.js';

const NOW_MS = 1_700_000_000_000;
const NOW_S = NOW_MS / 1000;

describe('maxTags', () => {
  it('passes up to the limit and blocks beyond it', () => {
    const hook = maxTags(2);
    assert.equal(hook(ev({ kind: 1, tags: [['t', 'a'], ['t', 'b']] }), NOW_MS), undefined);
    assert.match(hook(ev({ kind: 1, tags: [['t', 'a'], ['t', 'b'], ['t', 'c']] }), NOW_MS) ?? '', /^blocked: too many tags/);
  });
});

describe('maxContentBytes', () => {
  it('counts UTF-8 bytes, not characters', () => {
    const hook = maxContentBytes(4);
    assert.equal(hook(ev({ kind: 1, content: 'abcd' }), NOW_MS), undefined);
    assert.equal(hook(ev({ kind: 1, content: 'ü' }), NOW_MS), undefined);
    assert.match(hook(ev({ kind: 1, content: 'üüü' }), NOW_MS) ?? '', /^blocked: content too large \(6 > 4 bytes\)/);
    assert.match(hook(ev({ kind: 1, content: 'abcde' }), NOW_MS) ?? '', /^blocked: /);
  });
});

describe('createdAtNotTooFarInFuture', () => {
  it('accepts up to the allowance and rejects later timestamps as invalid', () => {
    const hook = createdAtNotTooFarInFuture(900);
    assert.equal(hook(ev({ kind: 1, created_at: NOW_S + 900 }), NOW_MS), undefined);
    assert.equal(hook(ev({ kind: 1, created_at: 0 }), NOW_MS), undefined);
    assert.match(hook(ev({ kind: 1, created_at: NOW_S + 901 }), NOW_MS) ?? '', /^invalid: created_at/);
  });
});

describe('runRejectHooks', () => {
  it('returns the first reason in order', () => {
    const e = ev({ kind: 1, tags: [['t', 'a'], ['t', 'b']], created_at: NOW_S + 10_000 });
    assert.match(runRejectHooks([maxTags(1), createdAtNotTooFarInFuture(0)], e, NOW_MS) ?? '', /^blocked: too many tags/);
    assert.match(runRejectHooks([maxTags(5), createdAtNotTooFarInFuture(0)], e, NOW_MS) ?? '', /^invalid: /);
    assert.equal(runRejectHooks([maxTags(5)], e, NOW_MS), undefined);
  });
});

describe('asAdmitHook', () => {
  it('turns a reason into a reject admission using the world clock', async () => {
    const hook = asAdmitHook(createdAtNotTooFarInFuture(0));
    const world = fakeWorld();
    assert.equal(await hook(ev({ kind: 1, created_at: NOW_S }), { source: 'client' }, world), undefined);
    const d = await hook(ev({ kind: 1, created_at: NOW_S + 1 }), { source: 'client' }, world);
    assert.equal(d?.type, 'reject');
  });
});
