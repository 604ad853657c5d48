import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Aedes } from 'aedes';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { isRescardError } from '../errors.js';
import type { HubLog } from './hub-log.js';
import { startMqttHub, type MqttHub, type MqttHubOptions } from './mqtt-hub.js';
import { makeTestCa } from './test-pki.js';

interface Line {
  readonly level: keyof HubLog;
  readonly obj: object;
  readonly msg: string;
}

function recordingLog(): { lines: Line[]; log: HubLog } {
  const lines: Line[] = [];
  const at = (level: keyof HubLog) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

const hubs: MqttHub[] = [];
const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function hub(options: Partial<MqttHubOptions> = {}): Promise<MqttHub & { lines: Line[] }> {
  const { lines, log } = recordingLog();
  const h = await startMqttHub({ host: '127.0.0.1', port: 0, log, ...options });
  hubs.push(h);
  return Object.assign(h, { lines });
}

async function connect(url: string, clientId: string, options: Partial<IClientOptions> = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options });
  clients.push(c);
  return c;
}

describe('the hub broker on its plain listener', () => {
  it('hands a device\'s publish to an in-process subscriber with its client id, and a hub publish reaches the device', async () => {
    const h = await hub({ clientLogLevel: 'info' });
    expect(h.port).toBeGreaterThan(0);
    expect(h.tlsPort).toBeNull();
    const got: [string, string, string | null][] = [];
    await h.subscribe('up/#', (topic, payload, clientId) => void got.push([topic, payload.toString(), clientId]));
    const device = await connect(`mqtt://127.0.0.1:${h.port}`, 'bus-0001');
    expect(h.connectedClients()).toBe(1);
    expect(h.lines).toContainEqual({ level: 'info', obj: { clientId: 'bus-0001' }, msg: 'client connected' });
    const down: string[] = [];
    device.on('message', (topic, payload) => down.push(`${topic} ${payload.toString()}`));
    await device.subscribeAsync('down/bus-0001', { qos: 1 });

    await device.publishAsync('up/bus-0001', 'tap', { qos: 1 });
    await h.publish('down/bus-0001', Buffer.from('ack'), { qos: 1 });

    await expect.poll(() => got).toEqual([['up/bus-0001', 'tap', 'bus-0001']]);
    await expect.poll(() => down).toEqual(['down/bus-0001 ack']);
  });

  it('keeps delivering after a subscriber throws, and logs the throw', async () => {
    const h = await hub();
    const got: string[] = [];
    await h.subscribe('up/#', (_topic, payload) => {
      if (payload.toString() === 'bad') throw new Error('boom');
      got.push(payload.toString());
    });
    const device = await connect(`mqtt://127.0.0.1:${h.port}`, 'bus-0001');
    await device.publishAsync('up/bus-0001', 'bad', { qos: 1 });
    await device.publishAsync('up/bus-0001', 'good', { qos: 1 });
    await expect.poll(() => got).toEqual(['good']);
    expect(h.lines.filter((l) => l.msg === 'in-process subscriber threw')).toHaveLength(1);
  });

  it('keeps a delivery in flight while a subscriber\'s promise is pending (one slot: the next message waits)', async () => {
    const h = await hub({ broker: { concurrency: 1 } });
    const queued = (): number => (h.aedes as unknown as { mq: { length: number } }).mq.length;
    const got: string[] = [];
    let release = (): void => undefined;
    const held = new Promise<void>((r) => (release = r));
    await h.subscribe('up/#', (_topic, payload) => {
      got.push(payload.toString());
      return payload.toString() === 'first' ? held : undefined;
    });
    const slow = await connect(`mqtt://127.0.0.1:${h.port}`, 'bus-0001');
    const other = await connect(`mqtt://127.0.0.1:${h.port}`, 'bus-0002');
    await slow.publishAsync('up/bus-0001', 'first', { qos: 0 });
    await expect.poll(() => got).toEqual(['first']);
    await other.publishAsync('up/bus-0002', 'other', { qos: 0 });
    await expect.poll(queued).toBeGreaterThan(0);
    expect(got).toEqual(['first']);
    release();
    await expect.poll(() => got).toEqual(['first', 'other']);
  });

  it('applies the caller\'s hooks and refuses MQTT 3.1 client ids longer than 64 characters', async () => {
    const h = await hub({
      broker: {
        authenticate: (client, _u, _p, done) => (client.id.startsWith('bus-') ? done(null, true) : done(Object.assign(new Error('no'), { returnCode: 2 as const }), false)),
      },
    });
    const url = `mqtt://127.0.0.1:${h.port}`;
    await expect(connect(url, 'laptop')).rejects.toThrow();
    const v31 = { protocolId: 'MQIsdp', protocolVersion: 3 } as const;
    await expect(connect(url, `bus-${'x'.repeat(61)}`, v31)).rejects.toThrow();
    await expect(connect(url, `bus-${'x'.repeat(60)}`, v31)).resolves.toBeDefined();
  });
});

describe('the hub broker on its TLS listener', () => {
  const ca = makeTestCa();
  const broker = ca.issue('broker', 'server');
  const device = ca.issue('bus-0001', 'client');

  it('admits a device with a certificate from the CA and refuses one without at the handshake', async () => {
    const h = await hub({ plain: false, tls: { port: 0, keyPem: broker.keyPem, certPem: broker.certPem, caPem: ca.caPem } });
    expect(h.tlsPort).toBeGreaterThan(0);
    expect(h.port).toBe(h.tlsPort);
    const url = `mqtts://127.0.0.1:${h.tlsPort}`;
    const ok = await connect(url, 'bus-0001', { ca: ca.caPem, key: device.keyPem, cert: device.certPem, rejectUnauthorized: true });
    expect(ok.connected).toBe(true);
    await expect(connect(url, 'bus-0002', { ca: ca.caPem, rejectUnauthorized: true })).rejects.toThrow();
    await expect.poll(() => h.lines.some((l) => l.level === 'warn' && l.msg === 'tls handshake refused')).toBe(true);
  });

  it('serves plain and TLS side by side when both are asked for', async () => {
    const h = await hub({ tls: { port: 0, keyPem: broker.keyPem, certPem: broker.certPem, caPem: ca.caPem } });
    expect(h.tlsPort).not.toBeNull();
    expect(h.port).not.toBe(h.tlsPort);
    await connect(`mqtt://127.0.0.1:${h.port}`, 'bus-0003');
    await connect(`mqtts://127.0.0.1:${String(h.tlsPort)}`, 'bus-0001', { ca: ca.caPem, key: device.keyPem, cert: device.certPem });
    expect(h.connectedClients()).toBe(2);
  });
});

describe('starting and closing the hub broker', () => {
  it('refuses to start with no listener at all (CONFIG_INVALID)', async () => {
    await expect(startMqttHub({ host: '127.0.0.1', port: 0, plain: false, log: recordingLog().log })).rejects.toSatisfy((e) => isRescardError(e, 'CONFIG_INVALID'));
  });

  it('closes the broker and the attachment when its port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      let broker: Aedes | null = null;
      let attachmentClosed = false;
      const start = startMqttHub({
        host: '127.0.0.1', port: (taken.address() as AddressInfo).port, log: recordingLog().log,
        attach: (aedes) => {
          broker = aedes;
          return { close: () => Promise.resolve(void (attachmentClosed = true)) };
        },
      });
      await expect(start).rejects.toThrow(/EADDRINUSE/);
      expect((broker as Aedes | null)?.closed).toBe(true);
      expect(attachmentClosed).toBe(true);
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
  });

  it('disconnects its clients, frees its port, then closes the attachment after the broker', async () => {
    const order: string[] = [];
    const { log } = recordingLog();
    const h = await startMqttHub({
      host: '127.0.0.1', port: 0, log,
      attach: (aedes) => {
        aedes.on('closed', () => order.push('broker closed'));
        return { close: () => Promise.resolve(void order.push('attachment closed')) };
      },
    });
    const device = await connect(`mqtt://127.0.0.1:${h.port}`, 'bus-0001');
    const gone = new Promise<void>((r) => device.once('close', () => r()));
    await h.close();
    await gone;
    expect(order).toEqual(['broker closed', 'attachment closed']);
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(h.port, '127.0.0.1', resolve);
    });
    await new Promise<void>((r) => again.close(() => r()));
  });
});
