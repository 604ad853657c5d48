/**
 * A gateway whose start fails (its local MQTT or HTTP port taken) undoes what it had opened: the
 * error reaches the caller, and gateway.db is closed (the last connection to a WAL database
 * removes its -wal file; a handle left open keeps it). A second start on the same data folder
 * then works.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../config/gateway-config.js';
import { createGateway } from './gateway.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function takenPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}

function config(dataDir: string, local: { mqttPort: number; httpPort: number }) {
  return parseGatewayConfig({
    gatewayId: 'gw-fail', dataDir, local, heartbeatMs: 600_000,
    // Nothing listens on port 9 (discard): the upstream stays down, which a start allows.
    upstream: { mqttUrl: 'mqtt://127.0.0.1:9', httpUrl: 'http://127.0.0.1:9/', reconnectMinMs: 1000, reconnectMaxMs: 2000 },
  });
}

describe('a gateway whose start fails', () => {
  it.each(['mqtt', 'http'] as const)('with its local %s port taken, fails with the error and leaves gateway.db closed', async (which) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rescard-gateway-fail-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await takenPort();
    const local = which === 'mqtt' ? { mqttPort: port, httpPort: 0 } : { mqttPort: 0, httpPort: port };
    const log = pino({ level: 'silent' });

    await expect(createGateway({ config: config(dataDir, local), log, appVersion: 'test' })).rejects.toThrow(/EADDRINUSE|in use/);
    expect(existsSync(join(dataDir, 'gateway.db'))).toBe(true);
    expect(existsSync(join(dataDir, 'gateway.db-wal'))).toBe(false);

    const gw = await createGateway({ config: config(dataDir, { mqttPort: 0, httpPort: 0 }), log, appVersion: 'test' });
    await gw.stop();
  });
});
