import { topics } from '@rescard/shared';
import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe } from './topic-acl.js';

describe('topic ACL', () => {
  it('lets a device publish only its own taps and status', () => {
    expect(mayPublish('bus-1', topics.deviceTaps('bus-1'))).toEqual({ ok: true });
    expect(mayPublish('bus-1', topics.deviceStatus('bus-1'))).toEqual({ ok: true });
    expect(mayPublish('bus-1', topics.deviceTaps('bus-2'))).toEqual({ ok: false, reason: 'client-mismatch' });
    expect(mayPublish('gw-1', topics.gatewayTaps('gw-1'))).toEqual({ ok: true });
    expect(mayPublish('gw-1', topics.gatewayTerminals('gw-1'))).toEqual({ ok: true });
    expect(mayPublish('gw-2', topics.gatewayTerminals('gw-1'))).toEqual({ ok: false, reason: 'client-mismatch' });
    expect(mayPublish('gw-1', topics.gatewayStatus('gw-2'))).toEqual({ ok: false, reason: 'client-mismatch' });
  });

  it('keeps acks, lists and freshness for the server, and refuses unknown topics', () => {
    expect(mayPublish('bus-1', topics.deviceAck('bus-1'))).toEqual({ ok: false, reason: 'server-only' });
    expect(mayPublish('bus-1', topics.list('region', 'stoplist'))).toEqual({ ok: false, reason: 'server-only' });
    expect(mayPublish('bus-1', 'rescard/v1/dev/bus-1/other')).toEqual({ ok: false, reason: 'unknown-topic' });
    expect(mayPublish('bus-1', 'anything')).toEqual({ ok: false, reason: 'unknown-topic' });
  });

  it('lets a client read its own topics and lists, not other devices', () => {
    expect(maySubscribe('bus-1', topics.deviceAck('bus-1')).ok).toBe(true);
    expect(maySubscribe('gw-1', topics.gatewayAck('gw-1')).ok).toBe(true);
    expect(maySubscribe('bus-1', topics.audienceLists('region')).ok).toBe(true);
    expect(maySubscribe('bus-1', topics.freshness('school:s-7')).ok).toBe(true);
    expect(maySubscribe('bus-1', topics.deviceAck('bus-2'))).toEqual({ ok: false, reason: 'client-mismatch' });
    for (const wide of ['#', '+/v1/dev/bus-2/ack', 'rescard/#', 'rescard/v1/#', 'rescard/v1/dev/+/ack', 'rescard/v1/+/bus-1/ack']) {
      expect(maySubscribe('bus-1', wide)).toEqual({ ok: false, reason: 'filter-too-wide' });
    }
  });
});
