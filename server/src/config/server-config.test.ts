import { isRescardError } from '@rescard/shared';
import { describe, expect, it } from 'vitest';
import { loadServerConfig } from './server-config.js';

describe('server config: device security fields', () => {
  it('defaults: plain MQTT on, TLS off (port 8883 when turned on), 30-day certificates, 72-hour tokens', () => {
    const c = loadServerConfig({ dataDir: '/tmp/x' });
    expect(c).toMatchObject({ mqttPlain: true, mqttTls: false, mqttTlsPort: 8883, deviceCertDays: 30, enrolmentTokenTtlHours: 72, mqttPublicHost: '127.0.0.1', tlsNames: [] });
  });

  it('takes the environment\'s strings for the switches and ports', () => {
    const c = loadServerConfig({ dataDir: '/tmp/x' }, { mqttTls: 'true', mqttPlain: '0', mqttTlsPort: '18883', host: '0.0.0.0' });
    expect(c).toMatchObject({ mqttTls: true, mqttPlain: false, mqttTlsPort: 18883, mqttPublicHost: 'localhost' });
  });

  it('refuses a broker with no listener and a bad public host name', () => {
    const code = (...layers: Record<string, unknown>[]): string => {
      try {
        loadServerConfig(...layers);
        return 'ok';
      } catch (err) {
        return isRescardError(err) ? `${err.code}:${String(err.details['field'])}` : String(err);
      }
    };
    expect(code({ mqttPlain: false })).toBe('CONFIG_INVALID:mqttPlain');
    expect(code({ mqttTls: true, mqttPublicHost: 'bad host/' })).toBe('CONFIG_INVALID:mqttPublicHost');
    expect(code({ deviceCertDays: 0 })).toBe('CONFIG_INVALID:deviceCertDays');
  });
});
