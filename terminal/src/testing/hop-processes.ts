/**
 * Test and demo support: the server and the gateway as child processes. Both print their bound
 * ports as the first stdout line (`{"http":N,"mqtt":M}`), so port 0 (any free port) works.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
