import { isRescardError } from '@rescard/shared';
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from './gateway-config.js';

const minimal = { gatewayId: 'gw-1', upstream: { mqttUrl: 'mqtt://127.0.0.1:1884', httpUrl: 'http://127.0.0.1:8080/' } };

describe('gateway config', () => {
  it('fills defaults and resolves dataDir against the config folder', () => {
    const c = parseGatewayConfig(minimal, {}, '/etc/rescard');
    expect(c).toMatchObject({ dataDir: '/etc/rescard/var/gateway', outbox: { capacityTaps: 1_000_000 }, forward: { maxInFlight: 4 }, lists: { audiences: ['region'] } });
  });

  it('lets the environment win over the file', () => {
    const c = parseGatewayConfig(minimal, { upstreamMqttUrl: 'mqtt://server:1884', logLevel: 'warn', dataDir: '/data' });
    expect(c).toMatchObject({ upstream: { mqttUrl: 'mqtt://server:1884', httpUrl: 'http://127.0.0.1:8080/' }, logLevel: 'warn', dataDir: '/data' });
  });

  it('mqtts:// needs the certificate files; their paths resolve against the config folder', () => {
    const mqtts = { ...minimal, upstream: { ...minimal.upstream, mqttUrl: 'mqtts://server:8883' } };
    expect(() => parseGatewayConfig(mqtts)).toThrow(/upstream.tls: mqtts:\/\/ needs the gateway certificate files/);
    const c = parseGatewayConfig({ ...mqtts, upstream: { ...mqtts.upstream, tls: { caFile: 'ca.crt', certFile: 'device.crt', keyFile: '/keys/device.key' } } }, {}, '/etc/rescard');
    expect(c.upstream.tls).toEqual({ caFile: '/etc/rescard/ca.crt', certFile: '/etc/rescard/device.crt', keyFile: '/keys/device.key', renewAtFraction: 2 / 3 });
  });

  it('names the bad field (CONFIG_INVALID)', () => {
    const bad = (input: unknown): string => {
      try {
        parseGatewayConfig(input);
        return 'ok';
      } catch (err) {
        return isRescardError(err, 'CONFIG_INVALID') ? err.message : 'other';
      }
    };
    expect(bad({ ...minimal, gatewayId: 'a/b' })).toMatch(/gatewayId/);
    expect(bad({ ...minimal, lists: { audiences: ['school:'] } })).toMatch(/lists\.audiences\.0/);
    expect(bad({ ...minimal, extra: 1 })).toMatch(/gateway config/);
  });
});
