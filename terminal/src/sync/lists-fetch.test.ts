import { describe, expect, it } from 'vitest';
import { resolveListUrl } from './lists-fetch.js';

describe('resolveListUrl', () => {
  const base = 'http://gw.local:8080/cache/';
  it('resolves relative URLs under the base', () => {
    expect(resolveListUrl(base, 'lists/school%3AS1/roster/snapshot-3.ndjson').href).toBe('http://gw.local:8080/cache/lists/school%3AS1/roster/snapshot-3.ndjson');
    expect(resolveListUrl('http://srv:80/cache', 'lists/region/stoplist/delta-1-2.ndjson').pathname).toBe('/cache/lists/region/stoplist/delta-1-2.ndjson');
  });

  it('refuses absolute, protocol-relative, rooted, climbing and credentialed URLs', () => {
    for (const bad of [
      'http://evil.example/lists/x', 'https://gw.local:8080/cache/lists/x', '//evil.example/x', '/lists/x', '../lists/x', 'lists/../../x',
      'file:///etc/passwd', 'javascript:alert(1)', '\\\\evil\\x', 'lists\\..\\..\\x', 'HTTP://evil/x',
    ]) {
      expect(() => resolveListUrl(base, bad), bad).toThrow(expect.objectContaining({ reason: 'url' }) as Error);
    }
  });
});
