/**
 * A school gateway brought into service the way a technician does it (ADR 0007), with the built
 * programs: `rescard-server start --mqtt-tls --no-mqtt-plain`; an enrolment token for a gateway;
 * `rescard-gateway enroll` (its own key, a certificate bound to its id, no card-token keys, the
 * region's and its school's lists); `rescard-gateway start` forwards a terminal's taps to the
 * server over MQTT with TLS, each once; `rescard-gateway renew` renews its certificate and a
 * restarted gateway connects with it; a replayed token is refused; a revoked gateway is dropped
 * and refused at its next connect.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adminToken, GATEWAY_MAIN, SERVER_MAIN, spawnGateway, spawnWithPorts, stopGracefully, tempDir, until, type Spawned } from './helpers/processes.js';
import { SimTerminal } from './helpers/sim-terminal.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Health {
  upstream: { connected: boolean };
  outbox: { depth: number };
}
const health = async (port: number): Promise<Health> => (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Health;

describe('a school gateway: enrol, forward over TLS, renew, revoke', () => {
  it('does all of it with the real programs', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const serverData = join(dir, 'server');
    const server = await spawnWithPorts<{ http: number; mqtt: number; mqtts: number }>(SERVER_MAIN, [
      'start', '--data', serverData, '--http-port', '0', '--mqtt-port', '0', '--mqtt-tls', '--mqtt-tls-port', '0', '--no-mqtt-plain', '--log-level', 'warn',
    ]);
    const http = `http://127.0.0.1:${server.ports.http}`;
    const auth = { authorization: `Bearer ${adminToken(serverData)}`, 'content-type': 'application/json' };
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${http}${path}`, { method, headers: auth, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const gwCli = (args: string[]): { code: number | null; out: unknown; stderr: string } => {
      const r = spawnSync(process.execPath, [GATEWAY_MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
      return { code: r.status, out: r.stdout.trim() === '' ? null : (JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null') as unknown), stderr: r.stderr };
    };
    let gw: Spawned<{ mqtt: number; http: number }> | null = null;
    const terminal = new SimTerminal('gate-0042', 25, 4, 1500);
    try {
      expect(server.ports.mqtt).toBe(server.ports.mqtts); // TLS only (with plain MQTT off, "mqtt" names the TLS port)

      // Enrol.
      const { token } = await api<{ token: string }>('POST', '/api/enrolment-tokens', { deviceId: 'gw-school-7', kind: 'gateway', profile: 'gateway', schoolId: 'school-7' });
      const out = join(dir, 'gw');
      const template = join(dir, 'gw-template.json');
      const tpl = { logLevel: 'warn', local: { mqttPort: 0, httpPort: 0 }, upstream: { reconnectMinMs: 50, reconnectMaxMs: 500 }, forward: { tickMs: 50, ackTimeoutMs: 3000 }, heartbeatMs: 500 };
      writeFileSync(template, JSON.stringify(tpl));
      const enrolled = gwCli(['enroll', '--server', http, '--token', token, '--out', out, '--template', template]);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      expect(enrolled.out).toMatchObject({ gatewayId: 'gw-school-7', mqttUrl: `mqtts://127.0.0.1:${server.ports.mqtts}`, audiences: ['region', 'school:school-7'] });
      const configPath = join(out, 'gateway.json');
      const written = readFileSync(configPath, 'utf8');
      expect(written).not.toContain('tokenKeys'); // a gateway never sees a PAN: no card-token keys
      expect(statSync(join(out, 'device.key')).mode & 0o777).toBe(0o600);
      expect(JSON.parse(written)).toMatchObject({ gatewayId: 'gw-school-7', upstream: { httpUrl: `${http}/`, tls: { certFile: 'device.crt' } }, lists: { audiences: ['region', 'school:school-7'] } });

      // A replayed token: refused, nothing overwritten.
      const replay = gwCli(['enroll', '--server', http, '--token', token, '--out', join(dir, 'gw2')]);
      expect(replay.code).toBe(1);
      expect(replay.out).toMatchObject({ error: { code: 'ENROLMENT_TOKEN_USED' } });

      // Start; a terminal's taps reach the server over the gateway's TLS uplink, each once.
      gw = await spawnGateway(configPath);
      await until(() => health(gw!.ports.http), (h) => h.upstream.connected, 20_000);
      terminal.tap(200);
      await terminal.connect(gw.ports.mqtt);
      await until(() => terminal.journal.size, (n) => n === 0, 20_000);
      const seqOf = async (): Promise<{ committedUpTo: number; maxSeq: number } | undefined> =>
        (await api<{ devices: { deviceId: string; seq: { committedUpTo: number; maxSeq: number } }[] }>('GET', '/api/devices')).devices.find((d) => d.deviceId === 'gate-0042')?.seq;
      expect(await until(seqOf, (s) => s?.committedUpTo === 200, 10_000)).toMatchObject({ committedUpTo: 200, maxSeq: 200 });
      const registryRow = async (): Promise<{ state: string; certificate: { serial: string; state: string } | null; status?: { online?: boolean } | null } | undefined> =>
        (await api<{ devices: { deviceId: string; state: string; certificate: { serial: string; state: string } | null }[] }>('GET', '/api/devices/registry')).devices.find((d) => d.deviceId === 'gw-school-7');
      const first = await registryRow();
      expect(first).toMatchObject({ state: 'active', certificate: { state: 'valid' } });

      // Renew: a new certificate; the restarted gateway connects with it.
      const renewed = gwCli(['renew', '--config', configPath]);
      expect(renewed.code, renewed.stderr).toBe(0);
      const serial = (renewed.out as { serial: string }).serial.toLowerCase();
      expect(serial).not.toBe(first?.certificate?.serial);
      expect((await registryRow())?.certificate?.serial).toBe(serial);
      await stopGracefully(gw.child);
      gw = await spawnGateway(configPath);
      await until(() => health(gw!.ports.http), (h) => h.upstream.connected, 20_000);
      terminal.tap(50);
      await terminal.connect(gw.ports.mqtt); // the restarted gateway listens on a new (ephemeral) port
      await until(() => terminal.journal.size, (n) => n === 0, 20_000);
      await until(seqOf, (s) => s?.committedUpTo === 250, 10_000);

      // Revoke: the live session is dropped and the next connects are refused.
      await api('POST', '/api/devices/gw-school-7/revoke', { reason: 'gateway stolen from the school' });
      await until(() => health(gw!.ports.http), (h) => !h.upstream.connected, 10_000);
      await new Promise((r) => setTimeout(r, 1500)); // several reconnect attempts (backoff 50-500 ms)
      expect((await health(gw.ports.http)).upstream.connected).toBe(false);
      terminal.tap(10); // still taken into custody by the gateway, held for when it is back in service
      await until(() => health(gw!.ports.http), (h) => h.outbox.depth === 10, 10_000);
      expect((await seqOf())?.committedUpTo).toBe(250);
    } finally {
      terminal.close();
      if (gw !== null) await stopGracefully(gw.child);
      await stopGracefully(server.child);
    }
  }, 120_000);
});
