/**
 * Simulated serial peripherals for the demo: each runs as a `rescard-sim` process on one end of
 * a socat pseudo-terminal pair; the terminal opens the other end as its serial port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openPtyPair, type PtyPair } from '@rescard/terminal/testing';

const SIM = fileURLToPath(new URL('../../hardware-sim/dist/main.js', import.meta.url));

export interface SimPeripheral {
  /** The terminal's end of the line. */
  readonly port: string;
  /** Lines the simulator printed since the last call (what its LEDs, buzzer and display did). */
  drain(): string[];
  stop(): Promise<void>;
}

export async function startSim(args: (simEnd: string) => string[]): Promise<SimPeripheral> {
  const pty: PtyPair = await openPtyPair();
  const child: ChildProcess = spawn(process.execPath, [SIM, ...args(pty.a)], { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines: string[] = [];
  let stopped = false;
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  return {
    port: pty.b,
    drain: () => lines.splice(0),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await pty.close();
    },
  };
}
