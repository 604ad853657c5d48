/**
 * The built gateway (dist/main.js: run `tsc -b` first) between terminal-like clients and a real
 * upstream (the built server when present, else an in-process aedes hop) is killed with SIGKILL
 * mid-forward, 20 times, and restarted on the same data folder each time. Terminals delete what
 * the gateway acked. In the end every tap is at the upstream exactly once, none is missing, and
 * at least one restart found taps still in custody (so the kills did land mid-forward).
 */
import { describe, expect, it } from 'vitest';
import { killHard, spawnGateway, stopGracefully, tempDir, until, writeGatewayConfig, type Spawned } from './helpers/processes.js';
import { SimTerminal } from './helpers/sim-terminal.js';
import { startUpstream } from './helpers/upstream.js';

const RUNS = 20;
const TAPS_PER_RUN = 150;
const DEVICES = ['bus-a', 'bus-b'];

async function health(port: number): Promise<{ outbox: { depth: number } }> {
  return (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { outbox: { depth: number } };
}

describe('kill -9 of the gateway mid-forward, 20 runs', () => {
  it('loses no tap and stores none twice at the upstream', async () => {
    const upstream = await startUpstream();
    const dir = tempDir();
    const config = writeGatewayConfig(dir, {
      gatewayId: 'gw-e2e',
      dataDir: './data',
      logLevel: 'warn',
      local: { mqttPort: 0, httpPort: 0 },
      upstream: { mqttUrl: upstream.mqttUrl, httpUrl: upstream.httpUrl, reconnectMinMs: 20, reconnectMaxMs: 200 },
      forward: { maxTapsPerMessage: 60, maxInFlight: 2, ackTimeoutMs: 2000, tickMs: 50 },
      heartbeatMs: 1000,
    });
    const terminals = DEVICES.map((d) => new SimTerminal(d, 30, 4, 1500));
    let gw: Spawned<{ mqtt: number; http: number }> = await spawnGateway(config);
    let restartsWithCustody = 0;
    try {
      for (let run = 0; run < RUNS; run++) {
        const before = terminals.map((t) => t.acks);
        for (const t of terminals) t.tap(TAPS_PER_RUN);
        await Promise.all(terminals.map((t) => t.connect(gw.ports.mqtt)));
        await until(() => terminals.every((t, i) => t.acks > before[i]!), (ok) => ok, 5000);
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 60)));
        await killHard(gw.child);
        for (const t of terminals) t.close();
        gw = await spawnGateway(config);
        if ((await health(gw.ports.http)).outbox.depth > 0) restartsWithCustody += 1;
      }
      await Promise.all(terminals.map((t) => t.connect(gw.ports.mqtt)));
      await until(() => terminals.every((t) => t.journal.size === 0), (ok) => ok, 20_000);
      for (const t of terminals) await until(() => upstream.committedUpTo(t.deviceId), (n) => n === t.journaled, 20_000);
      await until(() => health(gw.ports.http), (h) => h.outbox.depth === 0, 10_000);
    } finally {
      for (const t of terminals) t.close();
      await stopGracefully(gw.child);
      await upstream.stop();
    }
    const stored = upstream.stored();
    for (const t of terminals) {
      const rows = stored.get(t.deviceId) ?? [];
      expect(rows.length, t.deviceId).toBe(RUNS * TAPS_PER_RUN);
      expect(new Set(rows.map((r) => r.seq)).size, t.deviceId).toBe(RUNS * TAPS_PER_RUN);
      expect(rows.every((r, i) => r.seq === i + 1 && r.tapId === `${t.deviceId}-t-${r.seq}` && r.via === 'gw-e2e'), t.deviceId).toBe(true);
    }
    expect(restartsWithCustody).toBeGreaterThan(0);
  });
});
