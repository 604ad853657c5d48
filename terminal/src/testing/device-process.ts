/**
 * A `rescard-terminal start` child process, for the demo and end-to-end tests: what it shows on
 * stdout is read line by line; status lines (■) are skipped unless asked for.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built program (from src/testing in tests and dist/testing alike: run `tsc -b` first). */
export const TERMINAL_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export class DeviceProcess {
  private readonly lines: string[] = [];
  private wake: (() => void) | null = null;
  private stderrText = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.wake?.();
    });
    child.stderr.on('data', (d: Buffer) => (this.stderrText += d.toString()));
  }

  static start(config: string, env: NodeJS.ProcessEnv = {}): DeviceProcess {
    return new DeviceProcess(spawn(process.execPath, [TERMINAL_MAIN, 'start', '--config', config], { env: { ...process.env, RESCARD_LOG_LEVEL: 'warn', ...env } }));
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** The next line shown, or null after `withinMs`. */
  async next(withinMs = 8000, includeStatus = false): Promise<string | null> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) {
        if (includeStatus || !line.includes('■')) return line;
        continue;
      }
      if (Date.now() > deadline) return null;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 200);
      });
    }
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGTERM');
    return exited;
  }
}

/** Run a rescard-terminal command to completion: exit code and output. */
export function terminalCli(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [TERMINAL_MAIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
