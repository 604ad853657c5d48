import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { serveListFiles } from './list-file-route.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

/** A data folder with one list file under <root>, and secrets beside the root a traversal would be after. */
function folder(): { dir: string; root: string; snapshot: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rescard-hub-lists-'));
  const root = join(dir, 'files');
  mkdirSync(join(root, 'school:S1', 'roster'), { recursive: true });
  const snapshot = '{"v":1,"kind":"header"}\n{"token":"t1"}\n';
  writeFileSync(join(root, 'school:S1', 'roster', 'snapshot-1.ndjson'), snapshot);
  writeFileSync(join(root, 'region.ndjson'), 'SECRET');
  writeFileSync(join(dir, 'secret.ndjson'), 'SECRET');
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'keys', 'list-signing.key'), 'SECRET');
  return { dir, root, snapshot };
}

function app(root: string): FastifyInstance {
  const a = Fastify();
  serveListFiles(a, root);
  apps.push(a);
  return a;
}

describe('GET /lists/:audience/:list/:file from a hub', () => {
  it('streams a list file over a real socket, byte for byte, with its type, length, cache and date headers', async () => {
    const { root, snapshot } = folder();
    const a = app(root);
    const url = await a.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${url}/lists/school%3AS1/roster/snapshot-1.ndjson`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(snapshot)));
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('last-modified')).toBe(statSync(join(root, 'school:S1', 'roster', 'snapshot-1.ndjson')).mtime.toUTCString());
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('accept-ranges')).toBeNull();
    expect(await res.text()).toBe(snapshot);
  });

  it('answers 404 for a well-formed name that is not there, and for a folder', async () => {
    const { root } = folder();
    const a = app(root);
    for (const url of ['/lists/school:S1/roster/snapshot-2.ndjson', '/lists/region/roster/snapshot-1.ndjson', '/lists/school:S2/roster/delta-1-2.ndjson']) {
      const res = await a.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toEqual({ error: 'not found' });
    }
  });

  it('admits no path outside the root (traversal, encodings, other names, other lists)', async () => {
    const { root } = folder();
    const a = app(root);
    const attempts = [
      '/lists/region/stoplist/..%2F..%2F..%2Fkeys%2Flist-signing.key',
      '/lists/region/stoplist/%2e%2e%2f%2e%2e%2fsecret.ndjson',
      '/lists/..%2F..%2Fkeys/roster/snapshot-1.ndjson',
      '/lists/school:..%2F..%2F..%2Fkeys/roster/snapshot-1.ndjson',
      '/lists/school:../roster/snapshot-1.ndjson',
      '/lists/./roster/snapshot-1.ndjson',
      '/lists/school:S1/..%2F..%2Fsecret/snapshot-1.ndjson',
      '/lists/school:S1/roster/snapshot-1.ndjson%00.key',
      '/lists/school:S1/roster/snapshot-01.ndjson',
      '/lists/school:S1/roster/list-signing.key',
      '/lists/school:S1/keys/snapshot-1.ndjson',
      '/lists/%2E%2E/%2E%2E/secret.ndjson',
      '/lists/region/stoplist/',
      '/lists/school:S1/roster/snapshot-1.ndjson/..',
    ];
    for (const url of attempts) {
      const res = await a.inject({ method: 'GET', url });
      expect([400, 404], url).toContain(res.statusCode);
      expect(res.body, url).not.toContain('SECRET');
    }
  });
});
