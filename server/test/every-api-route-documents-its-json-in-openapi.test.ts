/**
 * The built server as operators run it (`rescard-server start --mqtt-tls`: every plugin mounted):
 * every operation in the OpenAPI document at /docs/json declares the JSON it answers with, and
 * every JSON POST/PUT/PATCH its body. Streams are the listed exceptions: Prometheus text,
 * signed list files, streamed CSV/NDJSON reports, the CSV upload of an import, and logout
 * (no body).
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer, stopGracefully, tempDir } from './helpers/harness.js';

const STREAMS = new Set(['GET /metrics', 'GET /lists/{audience}/{list}/{file}']);
const NO_JSON_BODY = new Set(['POST /api/auth/logout', 'POST /api/imports/{kind}']);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  requestBody?: unknown;
}

describe('the OpenAPI document', () => {
  it('has a JSON schema for every answer and every JSON body, streams aside', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const { child, ports } = await spawnServer(dir, ['--mqtt-tls', '--mqtt-tls-port', '0']);
    try {
      const doc = (await (await fetch(`http://127.0.0.1:${ports.http}/docs/json`)).json()) as { paths: Record<string, Record<string, Operation>> };
      const missing: string[] = [];
      let operations = 0;
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          operations++;
          const id = `${method.toUpperCase()} ${path}`;
          const ok = Object.entries(op.responses ?? {}).some(([code, r]) => code.startsWith('2') && r.content?.['application/json']?.schema !== undefined);
          if (!ok && !STREAMS.has(id) && !path.startsWith('/api/reports/')) missing.push(`${id}: no 2xx JSON schema`);
          if (['post', 'put', 'patch'].includes(method) && op.requestBody === undefined && !NO_JSON_BODY.has(id)) missing.push(`${id}: no body schema`);
        }
      }
      expect(operations).toBeGreaterThan(40); // every plugin is mounted: auth, lists, registries, reports, PKI, observability
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/enroll', '/api/imports/{kind}', '/api/reports/attendance', '/api/stoplist', '/api/devices/registry', '/api/audit']));
      expect(missing).toEqual([]);
    } finally {
      await stopGracefully(child);
    }
  }, 60_000);
});
