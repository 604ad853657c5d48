import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorsMarkdown } from './error-actions.js';
import { ERROR_CODES } from './errors.js';

describe('the error catalogue', () => {
  it('docs/errors.md is the generated table (run `npm run docs:errors` after adding a code)', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    expect(doc).toBe(errorsMarkdown());
  });

  it('documents every code with a meaning and an action', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(errorsMarkdown()).toContain(`| \`${code}\` |`);
  });
});
