import { encodePayload, topics, type GatewayAck, type TapAck, type TerminalStatuses } from '@rescard/shared';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeServerStore } from '../ports/fake-server-store.js';
import { makeBatch, makeGatewayBatch, makeHeartbeat } from '../testing/tap-fixtures.js';
import { GroupWriter } from './group-writer.js';
import { createIngestHandler } from './ingest-handlers.js';
import { Rejects } from './rejects.js';

const log = pino({ level: 'silent' });

function setup() {
  const store = new FakeServerStore();
  const writer = new GroupWriter(store, { maxGroupTaps: 1000, maxDelayMs: 0, lateAfterMs: 60_000, now: () => 1 }, log);
  const published: { topic: string; body: unknown }[] = [];
  const rejects = new Rejects(log);
  const handler = createIngestHandler({
    writer,
    rejects,
    log,
    now: () => 1,
    publish: (topic, payload) => {
      published.push({ topic, body: JSON.parse(payload.toString()) });
      return Promise.resolve();
    },
  });
  // The in-thread GroupWriter never holds back, so the handler returns nothing to wait for.
  const handle = (topic: string, payload: Buffer, clientId: string | null): void => expect(handler(topic, payload, clientId)).toBeUndefined();
  return { store, writer, published, rejects, handle };
}

describe('ingest handler', () => {
  it('acks a device batch after the commit, never before', () => {
    const { writer, published, handle } = setup();
    handle(topics.deviceTaps('d1'), encodePayload(makeBatch('d1', [1, 2], 'b-1')), 'd1');
    expect(published).toEqual([]);
    writer.flush();
    const ack: TapAck = { v: 1, deviceId: 'd1', batchId: 'b-1', committedUpTo: 2, duplicates: 0 };
    expect(published).toEqual([{ topic: topics.deviceAck('d1'), body: ack }]);
  });

  it('acks a gateway batch with each device high-water mark', () => {
    const { store, writer, published, handle } = setup();
    handle(topics.gatewayTaps('gw1'), encodePayload(makeGatewayBatch('gw1', [{ deviceId: 'a', seqs: [1, 2] }, { deviceId: 'b', seqs: [1, 3] }], 'g-7')), 'gw1');
    writer.flush();
    const ack: GatewayAck = { v: 1, gatewayId: 'gw1', batchId: 'g-7', committed: [{ deviceId: 'a', committedUpTo: 2 }, { deviceId: 'b', committedUpTo: 1 }] };
    expect(published).toEqual([{ topic: topics.gatewayAck('gw1'), body: ack }]);
    expect(store.taps({ deviceId: 'b', limit: 5 }).map((t) => t.viaGatewayId)).toEqual(['gw1', 'gw1']);
  });

  it("keeps a gateway's relayed terminal statuses with the gateway named, and refuses a relay of a gateway", () => {
    const { store, writer, rejects, handle } = setup();
    const relay = (statuses: TerminalStatuses['statuses']): void =>
      handle(topics.gatewayTerminals('gw1'), encodePayload<TerminalStatuses>({ v: 1, gatewayId: 'gw1', atMs: 5, statuses }), 'gw1');
    relay([{ receivedAtMs: 3, status: makeHeartbeat('t1') }, { receivedAtMs: 4, status: { v: 1, deviceId: 't2', online: false } }]);
    relay([{ receivedAtMs: 4, status: makeHeartbeat('gw1') }]);
    relay([{ receivedAtMs: 4, status: makeHeartbeat('gw7', {}, { kind: 'gateway' }) }]);
    handle(topics.gatewayTerminals('gw1'), encodePayload<TerminalStatuses>({ v: 1, gatewayId: 'gw9', atMs: 5, statuses: [{ receivedAtMs: 1, status: makeHeartbeat('t3') }] }), 'gw1');
    writer.flush();
    expect(store.device('t1')).toMatchObject({ online: true, lastSeenMs: 3, viaGatewayId: 'gw1' });
    expect(store.device('t2')).toMatchObject({ online: false, viaGatewayId: 'gw1' });
    expect(store.device('gw1')).toBeNull();
    expect(store.device('t3')).toBeNull();
    expect(store.device('gw7')).toBeNull();
    expect(rejects.snapshot()).toMatchObject({ 'terminal-statuses:schema': 2, 'terminal-statuses:id-mismatch': 1 });
  });

  it('rejects malformed payloads by reason, without throwing and without acks', () => {
    const { store, writer, published, rejects, handle } = setup();
    const t = topics.deviceTaps('d1');
    handle(t, Buffer.from('{not json'), 'd1');
    handle(t, Buffer.from(JSON.stringify({ ...makeBatch('d1', [1]), v: 2 })), 'd1');
    handle(t, Buffer.from(JSON.stringify({ ...makeBatch('d1', [1]), extra: true })), 'd1');
    handle(t, Buffer.alloc(1024 * 1024 + 1, 0x20), 'd1');
    handle(t, encodePayload(makeBatch('d2', [1])), 'd1');
    handle(topics.deviceStatus('d1'), encodePayload(makeHeartbeat('d2')), 'd1');
    handle(topics.gatewayTaps('gw1'), Buffer.from('[]'), 'gw1');
    writer.flush();
    expect(published).toEqual([]);
    expect(store.tapCount()).toBe(0);
    expect(rejects.snapshot()).toEqual({
      'taps:json': 1,
      'taps:version': 1,
      'taps:schema': 1,
      'taps:too-large': 1,
      'taps:id-mismatch': 1,
      'status:id-mismatch': 1,
      'gateway-taps:version': 1,
    });
  });

  it('keeps heartbeats and last wills', () => {
    const { store, writer, handle } = setup();
    handle(topics.deviceStatus('d1'), encodePayload(makeHeartbeat('d1')), 'd1');
    handle(topics.gatewayStatus('gw1'), encodePayload(makeHeartbeat('gw1', {}, { kind: 'gateway', profile: 'gateway', terminals: ['d1'] })), 'gw1');
    writer.flush();
    expect(store.device('d1')?.online).toBe(true);
    expect(store.device('gw1')?.heartbeat?.terminals).toEqual(['d1']);
    handle(topics.deviceStatus('d1'), encodePayload({ v: 1, deviceId: 'd1', online: false }), 'd1');
    writer.flush();
    expect(store.device('d1')?.online).toBe(false);
  });
});
