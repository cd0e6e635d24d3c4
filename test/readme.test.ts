// The README's options table is generated from the schema; this keeps the two from drifting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { optionsMarkdown } from '../src/config/load.js';

test('README options table equals the one generated from src/config/schema.ts', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(optionsMarkdown()), 'run: node --import tsx scripts/options-table.ts and paste into README.md');
});

test('README top shows the start and test commands', () => {
  const top = readFileSync(new URL('../README.md', import.meta.url), 'utf8').slice(0, 1500);
  assert.match(top, /npm ci && npm start/);
  assert.match(top, /npm ci && npm test/);
});
