import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { FakeBroker, TestClock, entry, makeService, tempDir } from './list-fixtures.js';
import { listRoutes } from './list-routes.js';

async function setup(): Promise<{ app: FastifyInstance; snapshotUrl: string; snapshot: string }> {
  const dir = tempDir();
  const broker = new FakeBroker();
  const s = await makeService(dir, broker, new TestClock());
  await s.setEntries('roster', 'school:S1', [entry(1, { schoolId: 'S1', role: 'student' })]);
  await s.flush();
  await s.stop();
  // Secrets a traversal would be after: the key folder and a file beside the list files.
  mkdirSync(join(dir, 'keys'), { recursive: true });
  writeFileSync(join(dir, 'keys', 'list-signing.key'), 'SECRET');
  writeFileSync(join(dir, 'lists', 'secret.ndjson'), 'SECRET');
  const app = Fastify();
  await app.register(listRoutes, { dataDir: dir });
  const a = broker.announce('school:S1', 'roster');
  const path = join(dir, 'lists', 'files', 'school:S1', 'roster', 'snapshot-1.ndjson');
  return { app, snapshotUrl: `/${a?.snapshotUrl ?? ''}`, snapshot: readFileSync(path, 'utf8') };
}

describe('GET /lists/:audience/:list/:file', () => {
  it('serves the announced file, byte for byte', async () => {
    const { app, snapshotUrl, snapshot } = await setup();
    expect(snapshotUrl).toBe('/lists/school%3AS1/roster/snapshot-1.ndjson');
    const res = await app.inject({ method: 'GET', url: snapshotUrl });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/ndjson/);
    expect(res.body).toBe(snapshot);
    expect((await app.inject({ method: 'GET', url: '/lists/school:S1/roster/snapshot-1.ndjson' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/lists/school%3AS1/roster/snapshot-9.ndjson' })).statusCode).toBe(404);
    await app.close();
  });

  it('admits no path outside the list files (traversal, encodings, other names)', async () => {
    const { app } = await setup();
    const attempts = [
      '/lists/region/stoplist/..%2F..%2F..%2Fkeys%2Flist-signing.key',
      '/lists/region/stoplist/%2e%2e%2f%2e%2e%2fsecret.ndjson',
      '/lists/..%2F..%2Fkeys/roster/snapshot-1.ndjson',
      '/lists/school:..%2F..%2F..%2Fkeys/roster/snapshot-1.ndjson',
      '/lists/school:../roster/snapshot-1.ndjson',
      '/lists/school:S1/..%2F..%2Fsecret/snapshot-1.ndjson',
      '/lists/school:S1/roster/snapshot-1.ndjson%00.key',
      '/lists/school:S1/roster/snapshot-01.ndjson',
      '/lists/school:S1/roster/list-signing.key',
      '/lists/%2E%2E/%2E%2E/secret.ndjson',
      '/lists/region/stoplist/',
      '/lists/school:S1/roster/snapshot-1.ndjson/..',
    ];
    for (const url of attempts) {
      const res = await app.inject({ method: 'GET', url });
      expect([400, 404], url).toContain(res.statusCode);
      expect(res.body, url).not.toContain('SECRET');
    }
    await app.close();
  });
});
