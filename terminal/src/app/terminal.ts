/**
 * The device loop: reader → read → token → decide → journal → feedback. One card at a time per
 * reader (the CardReader port guarantees it). Feedback is given only after the journal append
 * returned, so every tap that was shown is durable.
 */
import { RescardError, type TokenKeyring } from '@rescard/shared';
import type { Logger } from 'pino';
import type { Direction } from '../core/model.js';
import { restrictedStatus } from '../core/restricted-mode.js';
import { readCardSession } from '../emv/card-read.js';
import type { CardReader, CardSession } from '../ports/card-reader.js';
import type { Clock } from '../ports/clock.js';
import type { Peripherals } from '../ports/peripherals.js';
import { OUT_OF_SERVICE_MESSAGE, READ_FAILED_MESSAGE, type DeviceStatus, type Feedback } from '../ports/feedback.js';
import type { TapJournal } from '../ports/tap-journal.js';
import type { TapProcessor } from './tap-processor.js';

export interface TerminalDeps {
  readonly reader: CardReader;
  /** Which readers to serve (substring of the PC/SC name) and the gate direction of each. */
  readonly readers: readonly { readonly name?: string; readonly direction?: Direction }[];
  readonly processor: TapProcessor;
  readonly journal: TapJournal;
  readonly feedback: Feedback;
  readonly keyring: TokenKeyring;
  readonly clock: Clock;
  readonly random: (bytes: number) => Buffer;
  readonly readTimeoutMs: number;
  readonly profile: 'bus' | 'gate' | 'canteen';
  readonly log: Logger;
  /** LED, buzzer, text (and at a gate the turnstile) over OSDP; absent = the console only. */
  readonly peripherals?: Peripherals;
  /** gate: how long a release holds the turnstile open; only a confirmed passage counts. */
  readonly releaseMs?: number;
}

export interface Terminal {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Tap latencies (read excluded: token to feedback, ms), bounded ring for the heartbeat. */
  readonly latenciesMs: readonly number[];
  /** True while a card is being handled (read, decision, feedback, passage): background work waits. */
  readonly busy: boolean;
}

const DEFAULT_RELEASE_MS = 5000;
const LATENCY_RING = 1024; // bounded: oldest sample overwritten; only used for p50/p99 figures

export function createTerminal(deps: TerminalDeps): Terminal {
  const log = deps.log.child({ module: 'terminal' });
  const latencies: number[] = [];
  let lastStatus = '';

  const readerConfig = (name: string): { direction?: Direction } | null => {
    const match = deps.readers.find((r) => !r.name || name.includes(r.name));
    return match ?? null;
  };

  const showStatus = async (nowMs: number, clockFault: boolean): Promise<void> => {
    const lists = deps.processor.listStates(nowMs);
    const { restricted, staleLists } = restrictedStatus(deps.profile, lists);
    const peripheralsOffline = deps.peripherals ? !deps.peripherals.status().allOnline : false;
    const status: DeviceStatus = { restricted, staleLists, clockFault, journalAlarm: deps.journal.stats().alarm, peripheralsOffline };
    const key = JSON.stringify(status);
    if (key !== lastStatus) {
      lastStatus = key;
      log.info(status, 'device status');
      await deps.feedback.status(status);
    }
  };

  let sessions = 0;
  const onCard = async (session: CardSession): Promise<void> => {
    sessions += 1;
    try {
      await handleCard(session);
    } finally {
      sessions -= 1;
    }
  };

  const handleCard = async (session: CardSession): Promise<void> => {
    const config = readerConfig(session.readerName);
    if (!config) return;
    let read;
    try {
      read = await readCardSession(session, {
        keyring: deps.keyring,
        readTimeoutMs: deps.readTimeoutMs,
        now: () => new Date(deps.clock.wallMs()),
        monoMs: () => deps.clock.monoMs(),
        random: deps.random,
        log,
      });
    } catch (err) {
      const code = err instanceof RescardError ? err.code : 'READER_FAILURE';
      log.warn({ code, reader: session.readerName }, 'card read failed; nothing recorded');
      await deps.feedback.fault({ kind: 'READ_FAILED', code, message: READ_FAILED_MESSAGE, readerName: session.readerName });
      return;
    }
    const started = deps.clock.monoMs();
    try {
      const turnstile = deps.profile === 'gate' && deps.peripherals !== undefined;
      const tap = deps.processor.process(read, config.direction, { awaitPassage: turnstile });
      await deps.feedback.tap({
        outcome: tap.decision.outcome,
        reason: tap.decision.reason,
        message: tap.decision.message,
        ...(tap.decision.direction ? { direction: tap.decision.direction } : {}),
        restricted: tap.decision.flags.restricted || tap.decision.flags.staleList,
        seq: tap.record.seq,
        panMasked: read.panMasked,
        readerName: session.readerName,
        ...(tap.record.position ? { stop: { stopId: tap.record.position.stopId, flag: tap.record.position.flag } } : {}),
      });
      await deps.peripherals?.indicate({
        outcome: tap.decision.outcome,
        text: tap.decision.message.ru,
        ...(tap.decision.direction ? { direction: tap.decision.direction } : {}),
      });
      if (latencies.length >= LATENCY_RING) latencies.shift();
      latencies.push(deps.clock.monoMs() - started);
      if (tap.awaitingPassage && deps.peripherals && tap.decision.direction) {
        const result = await deps.peripherals.release(tap.decision.direction, deps.releaseMs ?? DEFAULT_RELEASE_MS);
        const record = deps.processor.recordPassage(tap.record, result);
        log.info({ seq: record.seq, grantSeq: tap.record.seq, passage: record.passage }, 'passage');
        await deps.feedback.passage({ passed: result === 'passed', seq: record.seq, direction: tap.decision.direction, readerName: session.readerName });
      }
      log.info({ seq: tap.record.seq, tapId: tap.record.tapId, outcome: tap.decision.outcome, reason: tap.decision.reason, panMasked: read.panMasked }, 'tap');
      await showStatus(tap.time.wallMs, tap.decision.flags.clockFault);
    } catch (err) {
      const code = err instanceof RescardError ? err.code : 'STORE_FAILURE';
      log.error({ code, err: err instanceof Error ? err.message : String(err) }, 'tap not recorded');
      await deps.feedback.fault({ kind: 'OUT_OF_SERVICE', code, message: OUT_OF_SERVICE_MESSAGE, readerName: session.readerName });
    }
  };

  return {
    latenciesMs: latencies,
    get busy() {
      return sessions > 0;
    },
    async start() {
      deps.peripherals?.onStatus((s) => {
        log.warn({ allOnline: s.allOnline, devices: s.devices.map((d) => ({ name: d.name, online: d.online })) }, 'peripherals status');
        void showStatus(deps.clock.wallMs(), false).catch((err: unknown) => log.error({ err: String(err) }, 'status display failed'));
      });
      await showStatus(deps.clock.wallMs(), false);
      await deps.reader.start(onCard);
      log.info({ readers: deps.readers }, 'terminal started');
    },
    async stop() {
      await deps.reader.stop();
      log.info('terminal stopped');
    },
  };
}
