import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminToken, killHard, spawnWithPorts, stopGracefully, until } from './testing.js';

/** A tiny program like the hubs' `start`: prints its ports, stops on SIGTERM with exit 0. */
function program(body: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rescard-hub-testing-')), 'main.mjs');
  writeFileSync(path, body);
  return path;
}

const HUB_LIKE = program(`
  process.stdout.write(JSON.stringify({ mqtt: 1234, http: Number(process.argv[2]) }) + '\\n');
  process.once('SIGTERM', () => process.exit(0));
  setInterval(() => {}, 1000);
`);

describe('running a built hub program in a test', () => {
  it('reads the ports line it prints, then stops it with SIGTERM (exit 0)', async () => {
    const { child, ports } = await spawnWithPorts<{ mqtt: number; http: number }>(HUB_LIKE, ['4321']);
    expect(ports).toEqual({ mqtt: 1234, http: 4321 });
    await stopGracefully(child);
    expect(child.exitCode).toBe(0);
    await stopGracefully(child); // already gone: returns at once
  });

  it('kills it hard with SIGKILL', async () => {
    const { child } = await spawnWithPorts(HUB_LIKE, ['1']);
    await killHard(child);
    expect(child.signalCode).toBe('SIGKILL');
  });

  it('fails with the exit code and the end of stderr when the program exits before printing its ports', async () => {
    const failing = program(`process.stderr.write('rescard-server: CONFIG_INVALID: bad port\\n'); process.exit(2);`);
    await expect(spawnWithPorts(failing, [])).rejects.toThrow(/exited 2: rescard-server: CONFIG_INVALID: bad port/);
  });

  it('fails with the code of the error line a hub prints on stdout when its start fails (not ports)', async () => {
    const failing = program(
      `process.stdout.write(JSON.stringify({ error: { code: 'SERVER_STORE_FAILURE', message: 'disk full' } }) + '\\n'); process.stderr.write('rescard-server: SERVER_STORE_FAILURE: disk full\\n'); process.exit(1);`,
    );
    await expect(spawnWithPorts(failing, [])).rejects.toThrow(/failed: SERVER_STORE_FAILURE: disk full/);
  });
});

describe('waiting for a condition in a test', () => {
  it('returns the first value that satisfies it', async () => {
    let n = 0;
    await expect(until(() => ++n, (v) => v >= 3)).resolves.toBe(3);
  });

  it('gives up after its time with the last value it saw', async () => {
    await expect(until(() => 'still offline', (v) => v === 'online', 50)).rejects.toThrow(/condition not met in time: "still offline"/);
  });
});

describe('the admin token of a test server', () => {
  it('is read from dataDir/auth/bootstrap.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rescard-hub-testing-'));
    mkdirSync(join(dir, 'auth'));
    writeFileSync(join(dir, 'auth', 'bootstrap.json'), JSON.stringify({ username: 'admin', token: 'rsat1_abc' }));
    expect(adminToken(dir)).toBe('rsat1_abc');
  });
});
