/** Real processes for end-to-end tests: the built server and gateway on ephemeral ports. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const SERVER_MAIN = fileURLToPath(new URL('../../../server/dist/main.js', import.meta.url));
export const GATEWAY_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'rescard-gateway-e2e-'));

export interface Spawned<T> {
  readonly child: ChildProcess;
  readonly ports: T;
}

/** Spawn `node main args…` and resolve with the JSON line it prints on stdout. */
export function spawnWithPorts<T>(main: string, args: readonly string[]): Promise<Spawned<T>> {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${main} exited ${String(code)}: ${err}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, ports: JSON.parse(line) as T }));
  });
}

/** RESCARD_E2E_UPSTREAM=hop forces the in-process hop even when the server is built. */
export const serverBuilt = (): boolean => process.env['RESCARD_E2E_UPSTREAM'] !== 'hop' && existsSync(SERVER_MAIN);

export function spawnServer(dataDir: string): Promise<Spawned<{ http: number; mqtt: number }>> {
  return spawnWithPorts(SERVER_MAIN, ['start', '--data', dataDir, '--http-port', '0', '--mqtt-port', '0', '--log-level', 'warn']);
}

export function writeGatewayConfig(dir: string, config: Record<string, unknown>): string {
  const path = join(dir, 'gateway.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

export function spawnGateway(configPath: string): Promise<Spawned<{ mqtt: number; http: number }>> {
  return spawnWithPorts(GATEWAY_MAIN, ['start', '--config', configPath]);
}

export async function stopGracefully(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

export async function until<T>(probe: () => Promise<T> | T, ok: (v: T) => boolean, withinMs = 5000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in time: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The admin API token the server wrote at its first start (dataDir/auth/bootstrap.json, docs/auth.md). */
export function adminToken(serverDataDir: string): string {
  return (JSON.parse(readFileSync(join(serverDataDir, 'auth', 'bootstrap.json'), 'utf8')) as { token: string }).token;
}
