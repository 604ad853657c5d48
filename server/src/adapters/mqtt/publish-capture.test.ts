import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { capturePublishes } from './publish-capture.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function broker(): Promise<{ aedes: Aedes; port: number; close(): Promise<void> }> {
  const aedes = await Aedes.createBroker();
  const net = createServer((s) => aedes.handle(s));
  await new Promise<void>((r) => net.listen(0, '127.0.0.1', r));
  return {
    aedes,
    port: (net.address() as AddressInfo).port,
    close: async () => {
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => net.close(() => r()));
    },
  };
}

describe('the MQTT capture (--mqtt-capture)', () => {
  it('writes every client and in-process message as one NDJSON line with its client id, and nothing of $SYS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescard-capture-'));
    dirs.push(dir);
    const b = await broker();
    const path = join(dir, 'capture.ndjson');
    const capture = capturePublishes(b.aedes, path, pino({ level: 'silent' }));
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.port}`, { clientId: 'bus-0001', protocolVersion: 4 });
    await client.publishAsync('rescard/v1/dev/bus-0001/taps', '{"v":1,"panMasked":"220077******9011"}', { qos: 1 });
    await client.publishAsync('rescard/v1/dev/bus-0001/status', 'not json at all', { qos: 0, retain: true });
    await new Promise<void>((r) => b.aedes.publish({ cmd: 'publish', topic: 'rescard/v1/dev/bus-0001/ack', payload: Buffer.from('{"v":1}'), qos: 1, retain: false, dup: false }, () => r()));
    await new Promise<void>((r) => b.aedes.publish({ cmd: 'publish', topic: '$SYS/broker/uptime', payload: Buffer.from('1'), qos: 0, retain: false, dup: false }, () => r()));
    await client.endAsync();
    await capture.close();
    await b.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // A QoS 0 publish resolves before the broker handles it: compare in topic order.
    const mine = lines.filter((l) => String(l['topic']).startsWith('rescard/')).sort((a, b) => String(a['topic']).localeCompare(String(b['topic'])));
    expect(mine.map((l) => [l['clientId'], l['topic'], l['qos'], l['retain'], l['payload']])).toEqual([
      [null, 'rescard/v1/dev/bus-0001/ack', 1, false, '{"v":1}'],
      ['bus-0001', 'rescard/v1/dev/bus-0001/status', 0, true, 'not json at all'],
      ['bus-0001', 'rescard/v1/dev/bus-0001/taps', 1, false, '{"v":1,"panMasked":"220077******9011"}'],
    ]);
    expect(lines.filter((l) => String(l['topic']).startsWith('$SYS'))).toEqual([]);
  });

  it('drops and counts lines while the disk is behind (a copy, never the data path)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescard-capture-'));
    dirs.push(dir);
    const b = await broker();
    const path = join(dir, 'capture.ndjson');
    const capture = capturePublishes(b.aedes, path, pino({ level: 'silent' }), 0);
    for (let i = 0; i < 200; i++) b.aedes.emit('publish', { cmd: 'publish', topic: `rescard/v1/dev/d/taps`, payload: Buffer.from(String(i)), qos: 0, retain: false, dup: false }, null);
    await capture.close();
    await b.close();
    const written = readFileSync(path, 'utf8').trim().split('\n').length;
    expect(capture.dropped).toBeGreaterThan(0);
    expect(written + capture.dropped).toBe(200);
  });
});
