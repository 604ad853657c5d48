/**
 * Test and demo support: the server and the gateway as child processes. Both print their bound
 * ports as the first stdout line (`{"http":N,"mqtt":M}`), so port 0 (any free port) works.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const SERVER_MAIN = fileURLToPath(new URL('../../../server/dist/main.js', import.meta.url));
export const GATEWAY_MAIN = fileURLToPath(new URL('../../../gateway/dist/main.js', import.meta.url));

export interface Ports {
  readonly http: number;
  readonly mqtt: number;
}

/** Spawn `node <args>` and resolve with the process and the ports of its first stdout line. */
export async function startPortsProgram(args: readonly string[]): Promise<{ child: ChildProcessWithoutNullStreams; ports: Ports }> {
  const child = spawn(process.execPath, [...args]);
  const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  return { child, ports: JSON.parse(first) as Ports };
}

/**
 * The admin API token a server wrote at its first start (dataDir/auth/bootstrap.json, see
 * docs/auth.md): what the demo and the end-to-end tests send as `Authorization: Bearer …`.
 */
export function adminToken(serverDataDir: string): string {
  return (JSON.parse(readFileSync(join(serverDataDir, 'auth', 'bootstrap.json'), 'utf8')) as { token: string }).token;
}

/** JSON to a server's API with the admin token; throws with the API's error code on a non-2xx. */
export async function adminApi<T>(port: number, serverDataDir: string, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${adminToken(serverDataDir)}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** A bus gateway's config in `dir`, upstream to a server on loopback; returns its path. */
export function writeGatewayConfig(dir: string, upstream: Ports, extra: Record<string, unknown> = {}): string {
  const path = join(dir, 'gateway.json');
  writeFileSync(
    path,
    JSON.stringify({
      gatewayId: 'gw-bus-0001',
      dataDir: join(dir, 'gateway'),
      logLevel: 'warn',
      local: { mqttPort: 0, httpPort: 0 },
      upstream: { mqttUrl: `mqtt://127.0.0.1:${upstream.mqtt}`, httpUrl: `http://127.0.0.1:${upstream.http}/` },
      lists: { audiences: ['region'] },
      ...extra,
    }),
  );
  return path;
}
