/**
 * End-to-end helpers: a real server on ephemeral ports over a real SQLite file, real mqtt
 * clients, and a mailbox of what a client received.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { openServer } from '../../src/app/open-server.js';
import { loadServerConfig } from '../../src/config/server-config.js';

import { spawnWithPorts, type Spawned } from '../../../shared/src/hub/testing.js';

// Polling, the admin token and stopping a process: shared with the gateway's end-to-end tests (shared/src/hub/testing.ts).
export { adminToken, killHard, stopGracefully, until } from '../../../shared/src/hub/testing.js';

const SERVER_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface ServerPorts {
  readonly http: number;
  readonly mqtt: number;
  readonly mqtts?: number;
}

/** The built `rescard-server start` on ephemeral ports over `dataDir`, with `args` added. */
export function spawnServer(dataDir: string, args: readonly string[] = []): Promise<Spawned<ServerPorts>> {
  return spawnWithPorts<ServerPorts>(SERVER_MAIN, ['start', '--data', dataDir, '--http-port', '0', '--mqtt-port', '0', '--log-level', 'warn', ...args]);
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'rescard-server-e2e-'));

export async function startServer(dataDir = tempDir(), over: Record<string, unknown> = {}) {
  const config = loadServerConfig({ dataDir, httpPort: 0, mqttPort: 0, logLevel: 'silent', ...over });
  return openServer(config, pino({ level: 'silent' }));
}

export async function connect(port: number, clientId: string, options: Partial<IClientOptions> = {}): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options });
}

/** Every message a client receives, parsed; `next` waits for one matching `pick`. */
export class Mailbox {
  private readonly seen: { topic: string; body: Record<string, unknown> }[] = [];

  constructor(client: MqttClient) {
    client.on('message', (topic, payload) => this.seen.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
  }

  all(): { topic: string; body: Record<string, unknown> }[] {
    return [...this.seen];
  }

  async next(pick: (m: { topic: string; body: Record<string, unknown> }) => boolean, withinMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const i = this.seen.findIndex(pick);
      if (i >= 0) return this.seen.splice(i, 1)[0]!.body;
      if (Date.now() > deadline) throw new Error('no matching message in time');
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
