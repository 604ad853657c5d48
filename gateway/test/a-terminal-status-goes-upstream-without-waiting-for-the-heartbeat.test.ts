/**
 * A terminal behind a gateway reports a new status (its stop-list version, online/offline): the
 * gateway relays it upstream within a moment, not at its next heartbeat (here 10 minutes away),
 * so the server's propagation view of a stop-list change counts terminals behind gateways too.
 * In process: a real upstream aedes, the gateway's real brokers, a real MQTT terminal client.
 */
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { encodePayload, topics, type TerminalStatuses } from '@rescard/shared';
import { describe, expect, it } from 'vitest';
import { createGateway } from '../src/app/gateway.js';
import { parseGatewayConfig } from '../src/config/gateway-config.js';
import { tempDir, until } from './helpers/processes.js';

describe('terminal status relay', () => {
  it('relays each new terminal status upstream long before the gateway heartbeat', async () => {
    const aedes = await Aedes.createBroker();
    const net = createServer((s) => aedes.handle(s));
    await new Promise<void>((r) => net.listen(0, '127.0.0.1', r));
    const relayed: TerminalStatuses[] = [];
    await new Promise<void>((r) => aedes.subscribe(topics.gatewayTerminals('gw-r'), (p, done) => (relayed.push(JSON.parse(p.payload.toString()) as TerminalStatuses), done()), r));
    const config = parseGatewayConfig({
      gatewayId: 'gw-r', dataDir: tempDir(), local: { mqttPort: 0, httpPort: 0 }, heartbeatMs: 600_000,
      upstream: { mqttUrl: `mqtt://127.0.0.1:${(net.address() as AddressInfo).port}`, httpUrl: 'http://127.0.0.1:9/', reconnectMinMs: 20, reconnectMaxMs: 100 },
    });
    const gw = await createGateway({ config, log: pino({ level: 'silent' }), appVersion: 'test' });
    const terminal = await mqtt.connectAsync(`mqtt://127.0.0.1:${gw.ports.mqtt}`, { clientId: 'bus-7', protocolVersion: 4, reconnectPeriod: 0 });
    try {
      await until(() => gw.health()['upstream'] as { connected: boolean }, (u) => u.connected, 5000);
      const before = relayed.length;
      await terminal.publishAsync(topics.deviceStatus('bus-7'), encodePayload({ v: 1, deviceId: 'bus-7', online: false }), { qos: 1, retain: true });
      const got = await until(() => relayed.slice(before).flatMap((m) => m.statuses), (s) => s.some((x) => x.status.deviceId === 'bus-7'), 5000);
      expect(got.find((x) => x.status.deviceId === 'bus-7')?.status).toEqual({ v: 1, deviceId: 'bus-7', online: false });
    } finally {
      await terminal.endAsync(true);
      await gw.stop();
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => net.close(() => r()));
    }
  });
});
