/**
 * The built `rescard-server start`: the ingest queue bound comes from --max-queued-taps (over
 * RESCARD_MAX_QUEUED_TAPS) and shows on /metrics; a bound out of range stops the program with
 * CONFIG_INVALID and exit code 2 before anything listens.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SERVER_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
});

function startProgram(args: readonly string[], env: Record<string, string>): { child: ChildProcessWithoutNullStreams; first: Promise<string>; exit: Promise<number | null> } {
  const dir = mkdtempSync(join(tmpdir(), 'rescard-bound-'));
  const child = spawn(process.execPath, [SERVER_MAIN, 'start', '--data', dir, '--http-port', '0', '--mqtt-port', '0', ...args], {
    env: { ...process.env, RESCARD_LOG_LEVEL: 'warn', ...env },
  });
  cleanup.push(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    child,
    first: new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
}

describe('rescard-server start --max-queued-taps', () => {
  it('takes the bound from the command line over the environment and reports it on /metrics', async () => {
    const p = startProgram(['--max-queued-taps', '500'], { RESCARD_MAX_QUEUED_TAPS: '700' });
    const ports = JSON.parse(await p.first) as { http: number };
    const metrics = await (await fetch(`http://127.0.0.1:${ports.http}/metrics`)).text();
    expect(metrics).toMatch(/^rescard_ingest_queue_bound_taps 500$/m);
  }, 30_000);

  it('takes the bound from RESCARD_MAX_QUEUED_TAPS alone', async () => {
    const p = startProgram([], { RESCARD_MAX_QUEUED_TAPS: '700' });
    const ports = JSON.parse(await p.first) as { http: number };
    expect(await (await fetch(`http://127.0.0.1:${ports.http}/metrics`)).text()).toMatch(/^rescard_ingest_queue_bound_taps 700$/m);
  }, 30_000);

  it('refuses a bound out of range or not a number: CONFIG_INVALID, exit 2', async () => {
    for (const value of ['5', 'many']) {
      const p = startProgram(['--max-queued-taps', value], {});
      const first = JSON.parse(await p.first) as { error?: { code: string; message: string } };
      expect(first.error?.code).toBe('CONFIG_INVALID');
      expect(first.error?.message).toContain('ingest.maxQueuedTaps');
      expect(await p.exit).toBe(2);
    }
  }, 30_000);
});
