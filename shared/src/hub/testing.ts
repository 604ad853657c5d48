/**
 * Test helpers for the hub programs' end-to-end tests (server/test, gateway/test): a built
 * program run as a real process that prints its bound ports as one JSON line, stopping it, and
 * polling for a condition. Test code only: imported by relative path from the test helpers,
 * never from `@rescard/shared/hub` (index.ts does not export it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface Spawned<T> {
  readonly child: ChildProcess;
  readonly ports: T;
}

/** Spawn `node main args…` and resolve with the JSON line it prints first on stdout (its ports); reject on its error line or exit. */
export function spawnWithPorts<T>(main: string, args: readonly string[]): Promise<Spawned<T>> {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    // 'close', not 'exit': by then stderr is read to its end, so the message carries the reason.
    child.once('close', (code) => reject(new Error(`${main} exited ${String(code)}: ${err}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      // A failing start prints {"error":{code,message}} on stdout first (program-exit.ts): not ports.
      const first = JSON.parse(line) as T | { error: { code: string; message: string } };
      if (typeof first === 'object' && first !== null && 'error' in first) reject(new Error(`${main} failed: ${first.error.code}: ${first.error.message}`));
      else resolve({ child, ports: first });
    });
  });
}

async function endWith(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/** SIGTERM, and wait for the exit (the program's own graceful stop). */
export const stopGracefully = (child: ChildProcess): Promise<void> => endWith(child, 'SIGTERM');

/** SIGKILL, and wait for the exit (a crash, a power cut). */
export const killHard = (child: ChildProcess): Promise<void> => endWith(child, 'SIGKILL');

/** Poll `probe` every 20 ms until `ok` holds; throws with the last value after `withinMs`. */
export async function until<T>(probe: () => Promise<T> | T, ok: (v: T) => boolean, withinMs = 5000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in time: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The admin API token a server wrote at its first start (dataDir/auth/bootstrap.json, docs/auth.md). */
export function adminToken(serverDataDir: string): string {
  return (JSON.parse(readFileSync(join(serverDataDir, 'auth', 'bootstrap.json'), 'utf8')) as { token: string }).token;
}
