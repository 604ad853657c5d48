/** Real processes for end-to-end tests: the built server and gateway on ephemeral ports. */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnWithPorts, type Spawned } from '../../../shared/src/hub/testing.js';

// Spawning a built program, stopping it, polling: shared with the server's end-to-end tests.
export { adminToken, killHard, spawnWithPorts, stopGracefully, until, type Spawned } from '../../../shared/src/hub/testing.js';

export const SERVER_MAIN = fileURLToPath(new URL('../../../server/dist/main.js', import.meta.url));
export const GATEWAY_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'rescard-gateway-e2e-'));

/** RESCARD_E2E_UPSTREAM=hop forces the in-process hop even when the server is built. */
export const serverBuilt = (): boolean => process.env['RESCARD_E2E_UPSTREAM'] !== 'hop' && existsSync(SERVER_MAIN);

export function spawnServer(dataDir: string): Promise<Spawned<{ http: number; mqtt: number }>> {
  return spawnWithPorts(SERVER_MAIN, ['start', '--data', dataDir, '--http-port', '0', '--mqtt-port', '0', '--log-level', 'warn']);
}

export function writeGatewayConfig(dir: string, config: Record<string, unknown>): string {
  const path = join(dir, 'gateway.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

export function spawnGateway(configPath: string): Promise<Spawned<{ mqtt: number; http: number }>> {
  return spawnWithPorts(GATEWAY_MAIN, ['start', '--config', configPath]);
}
