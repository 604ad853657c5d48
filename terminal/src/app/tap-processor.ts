/**
 * One tap, from a PAN-free CardRead to a durable journal row: trusted time → list lookup (PAN
 * token and PAR token) → local history → decide (pure) → journal append (tap and usage in one
 * FULL-synchronous transaction). Feedback comes after this returns, never before.
 *
 * Entitlements are found by PAN token or PAR token (a phone's Mir Pay token maps to the card's
 * benefit through the PAR). Usage history is kept under the PAN token; sharing quotas between a
 * card and its phone token is not done yet.
 */
import { randomUUID } from 'node:crypto';
import { trustTime, type ClockGuardState } from '../core/clock-guard.js';
import { decide, historyQuery, usageOf } from '../core/decide.js';
import type { Decision, ListState } from '../core/decision.js';
import { PROFILE_LISTS, type DeviceContext, type Direction, type ListName, type TrustedTime } from '../core/model.js';
import type { ProfileRules } from '../core/rules.js';
import type { CardRead } from '../emv/card-read.js';
import type { Clock } from '../ports/clock.js';
import type { ClockStateStore } from '../ports/clock-state.js';
import type { ListStore } from '../ports/list-store.js';
import type { PassageResult } from '../ports/peripherals.js';
import { positionForTap, type Position } from '../ports/position.js';
import { reasonMessage } from '../core/reasons.js';
import type { TapJournal, TapRecord } from '../ports/tap-journal.js';

export interface TapProcessorDeps {
  readonly context: DeviceContext;
  readonly rules: ProfileRules;
  readonly lists: ListStore;
  readonly journal: TapJournal;
  readonly clock: Clock;
  readonly clockState: ClockStateStore;
  readonly clockToleranceMs: number;
  /**
   * Run `fn` as one durable transaction (SQLite: db.transaction). The clock guard's state and
   * the journal append commit together: one fsync per tap, and the state never runs ahead of
   * the journal.
   */
  readonly atomically: <T>(fn: () => T) => T;
  /** bus: the GPS; each tap carries its position and stop (or a NO_FIX / STALE flag). */
  readonly position?: Position;
}

export interface ProcessedTap {
  readonly record: TapRecord;
  /** The core's decision (as decided; the record may hold it with the count deferred). */
  readonly decision: Decision;
  /** A gate turnstile must be released and the passage confirmed with recordPassage(). */
  readonly awaitingPassage: boolean;
  readonly time: TrustedTime;
  readonly lists: Readonly<Partial<Record<ListName, ListState>>>;
}

export class TapProcessor {
  constructor(private readonly deps: TapProcessorDeps) {}

  /**
   * Throws JOURNAL_FULL (nothing recorded, nothing shown as accepted) or STORE_FAILURE.
   * `awaitPassage` (a gate with a turnstile): an allowed passage is recorded as PENDING and
   * counts nothing until recordPassage() says someone went through.
   */
  process(read: CardRead, direction?: Direction, options: { awaitPassage?: boolean } = {}): ProcessedTap {
    const { deps } = this;
    const { time, next } = this.trustedNow();
    const context: DeviceContext = direction ? { ...deps.context, direction } : deps.context;
    const lists = this.listStates(time.wallMs);
    const tokens = read.parToken ? [read.token, read.parToken] : [read.token];
    const entries = deps.lists.lookup(tokens, PROFILE_LISTS[context.profile]);
    const query = historyQuery(deps.rules, time, context.utcOffsetMinutes);
    const history = deps.lists.history(read.token, query.sinceWallMs, query.limit);
    const decision = decide({
      card: { token: read.token, kid: read.kid, parToken: read.parToken, expiry: read.expiry },
      entries,
      context,
      rules: deps.rules,
      history,
      lists,
      time,
    });
    const awaitingPassage = options.awaitPassage === true && decision.counted === 'PASSAGE';
    const recorded: Decision = awaitingPassage ? { ...decision, counted: null } : decision;
    const usage = awaitingPassage ? null : usageOf(decision, time);
    const position = deps.position ? positionForTap(deps.position.current(deps.clock.monoMs())) : undefined;
    const record = deps.atomically(() => {
      deps.clockState.save(next);
      return deps.journal.append(
        {
          tapId: randomUUID(),
          wallMs: time.wallMs,
          monoMs: time.monoMs,
          bootId: time.bootId,
          token: read.token,
          kid: read.kid,
          parToken: read.parToken,
          panMasked: read.panMasked,
          scheme: read.scheme,
          context,
          decision: recorded,
          listVersions: Object.fromEntries(Object.entries(lists).map(([name, s]) => [name, s.version])),
          readMs: read.readMs,
          ...(position ? { position } : {}),
          ...(awaitingPassage ? { passage: 'PENDING' as const } : {}),
        },
        usage,
      );
    });
    return { record, decision, awaitingPassage, time, lists };
  }

  /**
   * The turnstile's answer for a PENDING grant: a follow-up record of the same card, PASSED
   * (counted: attendance, anti-passback) or NOT_PASSED (nothing counted), naming the grant.
   */
  recordPassage(grant: TapRecord, result: PassageResult): TapRecord {
    const { deps } = this;
    const { time, next } = this.trustedNow();
    const passed = result === 'passed';
    const code = passed ? 'PASSAGE_CONFIRMED' : 'NOT_PASSED';
    const decision: Decision = {
      outcome: passed ? 'ALLOW' : 'DENY',
      reason: code,
      message: reasonMessage(code),
      counted: passed ? 'PASSAGE' : null,
      ...(grant.decision.direction ? { direction: grant.decision.direction } : {}),
      amountKopecks: 0,
      flags: { ...grant.decision.flags, clockFault: time.clockFault },
    };
    const { seq: _grantSeq, ...card } = grant;
    return deps.atomically(() => {
      deps.clockState.save(next);
      return deps.journal.append(
        {
          ...card,
          tapId: randomUUID(),
          wallMs: time.wallMs,
          monoMs: time.monoMs,
          bootId: time.bootId,
          decision,
          passage: passed ? 'PASSED' : 'NOT_PASSED',
          refTapId: grant.tapId,
        },
        usageOf(decision, time),
      );
    });
  }

  /** The lists this profile uses, with their versions and freshness at `nowMs`. */
  listStates(nowMs: number): Partial<Record<ListName, ListState>> {
    const metas = new Map(this.deps.lists.meta().map((m) => [m.list, m]));
    const out: Partial<Record<ListName, ListState>> = {};
    for (const name of PROFILE_LISTS[this.deps.context.profile]) {
      const meta = metas.get(name);
      out[name] = meta ? { version: meta.version, stale: meta.expiresAtMs <= nowMs, loaded: true } : { version: 0, stale: true, loaded: false };
    }
    return out;
  }

  private trustedNow(): { time: TrustedTime; next: ClockGuardState } {
    const { clock, clockState, clockToleranceMs } = this.deps;
    return trustTime(clockState.load(), { wallMs: clock.wallMs(), monoMs: clock.monoMs(), bootId: clock.bootId }, clockToleranceMs);
  }
}
