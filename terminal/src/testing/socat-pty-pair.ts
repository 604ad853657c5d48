/**
 * Test support: a pseudo-terminal pair from socat (Debian package `socat`), as a GPS receiver
 * and the terminal would see a serial line. Each pair lives in its own temp folder, so tests
 * running in parallel never share link names. Stop kills only the socat this pair started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  /** One end (the sim writes here) and the other (the terminal reads here). */
  readonly a: string;
  readonly b: string;
  /** Kill socat: both ends hang up, as an unplugged receiver would. */
  kill(): Promise<void>;
  /** Start socat again on the same link names (after kill). */
  restart(): Promise<void>;
  /** Kill socat and remove the folder. */
  close(): Promise<void>;
}

const READY = 'starting data transfer loop';

async function startSocat(a: string, b: string, timeoutMs: number): Promise<ChildProcess> {
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`socat not ready after ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    const onExit = (code: number | null): void => fail(new Error(`socat exited with ${code}: ${stderr}`));
    const onError = (err: Error): void => fail(new Error(`socat cannot start (apt-get install socat): ${err.message}`));
    const settle = (): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
      child.stderr?.off('data', onData);
    };
    const fail = (err: Error): void => {
      settle();
      child.kill('SIGKILL');
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      stderr += chunk.toString();
      if (stderr.includes(READY) && existsSync(a) && existsSync(b)) {
        settle();
        child.stderr?.resume(); // keep draining socat's log so it never blocks on a full pipe
        resolve();
      }
    };
    child.once('exit', onExit);
    child.once('error', onError);
    child.stderr?.on('data', onData);
  });
  return child;
}

async function stopSocat(child: ChildProcess | null): Promise<void> {
  if (child === null || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function openPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'rescard-pty-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  let child: ChildProcess | null = await startSocat(a, b, timeoutMs);
  return {
    a,
    b,
    kill: async () => {
      await stopSocat(child);
      child = null;
    },
    restart: async () => {
      await stopSocat(child);
      child = await startSocat(a, b, timeoutMs);
    },
    close: async () => {
      await stopSocat(child);
      child = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
