/**
 * The upstream of an end-to-end test: the real server (server/dist/main.js, a process over its
 * own SQLite file) when it is built, else an in-process aedes "hop" that stores taps in memory,
 * idempotently on (device, seq), and acks gateway batches with contiguous marks after storing.
 */
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import Database from 'better-sqlite3';
import { decodePayload, encodePayload, gatewayBatchSchema, parseTopic, topics } from '@rescard/shared';
import { adminToken, serverBuilt, spawnServer, stopGracefully, tempDir } from './processes.js';

export interface StoredTap {
  readonly seq: number;
  readonly tapId: string;
  readonly via: string | null;
}

export interface TestUpstream {
  readonly kind: 'server' | 'hop';
  readonly mqttUrl: string;
  readonly httpUrl: string;
  committedUpTo(deviceId: string): Promise<number>;
  /** After stop(): every stored tap per device, in seq order. */
  stored(): Map<string, StoredTap[]>;
  stop(): Promise<void>;
}

export async function startUpstream(): Promise<TestUpstream> {
  return serverBuilt() ? startRealServer() : startHop();
}

async function startRealServer(): Promise<TestUpstream> {
  const dataDir = tempDir();
  const { child, ports } = await spawnServer(dataDir);
  return {
    kind: 'server',
    mqttUrl: `mqtt://127.0.0.1:${ports.mqtt}`,
    httpUrl: `http://127.0.0.1:${ports.http}/`,
    async committedUpTo(deviceId) {
      const res = await fetch(`http://127.0.0.1:${ports.http}/api/devices`, { headers: { authorization: `Bearer ${adminToken(dataDir)}` } });
      const { devices } = (await res.json()) as { devices: { deviceId: string; seq: { committedUpTo: number } | null }[] };
      return devices.find((d) => d.deviceId === deviceId)?.seq?.committedUpTo ?? 0;
    },
    stored() {
      const db = new Database(join(dataDir, 'server.db'), { readonly: true });
      const rows = db.prepare('SELECT device_id AS d, seq, tap_id AS tapId, via_gateway_id AS via FROM tap ORDER BY device_id, seq').all() as { d: string; seq: number; tapId: string; via: string | null }[];
      db.close();
      const out = new Map<string, StoredTap[]>();
      for (const r of rows) out.set(r.d, [...(out.get(r.d) ?? []), { seq: r.seq, tapId: r.tapId, via: r.via }]);
      return out;
    },
    stop: () => stopGracefully(child),
  };
}

async function startHop(): Promise<TestUpstream> {
  const aedes = await Aedes.createBroker();
  const taps = new Map<string, Map<number, StoredTap>>();
  const marks = new Map<string, number>();
  aedes.subscribe(topics.allGatewayTaps, (packet, done) => {
    const t = parseTopic(packet.topic);
    const d = decodePayload(gatewayBatchSchema, packet.payload as Buffer);
    if (t?.kind === 'gatewayTaps' && d.ok) {
      for (const b of d.value.batches) {
        const held = taps.get(b.deviceId) ?? new Map<number, StoredTap>();
        taps.set(b.deviceId, held);
        for (const tap of b.taps) if (!held.has(tap.seq)) held.set(tap.seq, { seq: tap.seq, tapId: tap.tapId, via: d.value.gatewayId });
        let m = marks.get(b.deviceId) ?? 0;
        while (held.has(m + 1)) m += 1;
        marks.set(b.deviceId, m);
      }
      const committed = [...new Set(d.value.batches.map((b) => b.deviceId))].map((deviceId) => ({ deviceId, committedUpTo: marks.get(deviceId) ?? 0 }));
      const ack = encodePayload({ v: 1, gatewayId: d.value.gatewayId, batchId: d.value.batchId, committed });
      aedes.publish({ cmd: 'publish', topic: topics.gatewayAck(d.value.gatewayId), payload: ack, qos: 1, retain: false, dup: false }, () => undefined);
    }
    done();
  }, () => undefined);
  const server = createServer((s) => aedes.handle(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    kind: 'hop',
    mqttUrl: `mqtt://127.0.0.1:${port}`,
    httpUrl: 'http://127.0.0.1:9/',
    committedUpTo: (deviceId) => Promise.resolve(marks.get(deviceId) ?? 0),
    stored: () => new Map([...taps].map(([d, m]) => [d, [...m.values()].sort((a, b) => a.seq - b.seq)])),
    stop: async () => {
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
