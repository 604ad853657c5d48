import { describe, expect, it } from 'vitest';
import busConfig from '../../examples/bus.json' with { type: 'json' };
import { parseTerminalConfig } from '../config/terminal-config.js';

describe('config: uplink section', () => {
  it('is optional, and gets its defaults (clientId = deviceId)', () => {
    expect(parseTerminalConfig(busConfig).uplink).toBeUndefined();
    const c = parseTerminalConfig({ ...busConfig, uplink: { url: 'mqtt://127.0.0.1:1883' } });
    expect(c.uplink).toEqual({
      url: 'mqtt://127.0.0.1:1883',
      clientId: c.deviceId,
      batchSize: 250,
      maxInFlightBatches: 4,
      ackTimeoutMs: 15_000,
      heartbeatMs: 30_000,
      reconnectMinMs: 500,
      reconnectMaxMs: 30_000,
    });
  });

  it('refuses a bad url, an oversized batch and an inverted backoff, naming the field', () => {
    const bad = (uplink: object): unknown => {
      try {
        parseTerminalConfig({ ...busConfig, uplink });
      } catch (err) {
        return (err as { details?: { path?: string } }).details?.path;
      }
      return null;
    };
    expect(bad({ url: 'http://x:1' })).toBe('uplink.url');
    expect(bad({ url: 'mqtt://x:1', batchSize: 501 })).toBe('uplink.batchSize');
    expect(bad({ url: 'mqtt://x:1', reconnectMinMs: 5000, reconnectMaxMs: 1000 })).toBe('uplink.reconnectMinMs');
  });
});
