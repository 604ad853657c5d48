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

  // Every traversal and encoding trick is refused by the route itself (shared/src/hub/list-file-route.test.ts);
  // here: what lies beside dataDir/lists/files on a server stays out of reach.
  it('serves nothing of the data folder beside the list files (signing key, other files)', async () => {
    const { app } = await setup();
    for (const url of ['/lists/region/stoplist/..%2F..%2F..%2Fkeys%2Flist-signing.key', '/lists/region/stoplist/%2e%2e%2f%2e%2e%2fsecret.ndjson', '/lists/school:..%2F..%2F..%2Fkeys/roster/snapshot-1.ndjson']) {
      const res = await app.inject({ method: 'GET', url });
      expect([400, 404], url).toContain(res.statusCode);
      expect(res.body, url).not.toContain('SECRET');
    }
    await app.close();
  });
});
