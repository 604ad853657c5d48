import { describe, expect, it } from 'vitest';
import { RescardError } from '../errors.js';
import { describeFailure, stopOnSignals, type ProgramLog } from './program-exit.js';

function recordingLog(): { events: string[]; log: ProgramLog } {
  const events: string[] = [];
  return {
    events,
    log: {
      info: (obj, msg) => void events.push(`info ${msg} ${JSON.stringify(obj)}`),
      error: (obj, msg) => void events.push(`error ${msg} ${JSON.stringify(obj)}`),
      flush: () => void events.push('flush'),
    },
  };
}

/** The process's signal and exit surface, as a test sees it. */
interface FakeProcess {
  readonly exits: number[];
  readonly fire: (signal: NodeJS.Signals) => void;
  readonly once: (signal: NodeJS.Signals, listener: () => void) => void;
  readonly exit: (code: number) => void;
}

function fakeProcess(): FakeProcess {
  const listeners = new Map<NodeJS.Signals, () => void>();
  const exits: number[] = [];
  return {
    exits,
    once: (signal, listener) => void listeners.set(signal, listener),
    exit: (code) => void exits.push(code),
    fire: (signal) => {
      const l = listeners.get(signal);
      listeners.delete(signal);
      l?.();
    },
  };
}

describe('a hub program that fails', () => {
  it('prints a bad configuration as its code on both streams and exits 2', () => {
    const f = describeFailure('rescard-gateway', 'GATEWAY_STORE_FAILURE', new RescardError('CONFIG_INVALID', 'local.mqttPort: expected a number'));
    expect(f.exitCode).toBe(2);
    expect(f.stdoutLine).toBe('{"error":{"code":"CONFIG_INVALID","message":"local.mqttPort: expected a number"}}\n');
    expect(f.stderrLine).toBe('rescard-gateway: CONFIG_INVALID: local.mqttPort: expected a number\n');
  });

  it('reports a foreign error as the program\'s store failure, with its message, and exits 1', () => {
    const f = describeFailure('rescard-server', 'SERVER_STORE_FAILURE', new Error('SQLITE_FULL: database or disk is full'));
    expect(f.error).toBeInstanceOf(RescardError);
    expect(f.error.code).toBe('SERVER_STORE_FAILURE');
    expect(f.exitCode).toBe(1);
    expect(f.stderrLine).toBe('rescard-server: SERVER_STORE_FAILURE: SQLITE_FULL: database or disk is full\n');
    expect(describeFailure('rescard-server', 'SERVER_STORE_FAILURE', 'plain string').error.message).toBe('plain string');
  });

  it('keeps a RescardError\'s own code, not the fallback', () => {
    const err = new RescardError('LIST_FILE_INVALID', 'bad signature');
    const f = describeFailure('rescard-gateway', 'GATEWAY_STORE_FAILURE', err);
    expect(f.error).toBe(err);
    expect(f.exitCode).toBe(1);
  });
});

describe('a hub program told to stop', () => {
  it('on SIGTERM logs the signal, stops, flushes the log, then exits 0', async () => {
    const { events, log } = recordingLog();
    const p = fakeProcess();
    let stopped = false;
    stopOnSignals({ log, stop: () => Promise.resolve(void (stopped = true)), onFailure: () => events.push('failed'), once: p.once, exit: p.exit });
    expect(p.exits).toEqual([]);
    p.fire('SIGTERM');
    await expect.poll(() => p.exits).toEqual([0]);
    expect(stopped).toBe(true);
    expect(events).toEqual(['info stopping {"signal":"SIGTERM"}', 'flush']);
  });

  it('on SIGINT whose stop fails hands the error to onFailure and does not exit 0', async () => {
    const { log } = recordingLog();
    const p = fakeProcess();
    const failures: unknown[] = [];
    const boom = new Error('close failed');
    stopOnSignals({ log, stop: () => Promise.reject(boom), onFailure: (err) => void failures.push(err), once: p.once, exit: p.exit });
    p.fire('SIGINT');
    await expect.poll(() => failures).toEqual([boom]);
    expect(p.exits).toEqual([]);
  });
});
