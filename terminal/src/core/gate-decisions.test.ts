import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import type { UsageEvent } from './model.js';
import type { GateRules } from './rules.js';
import { validateRules } from './rules.js';
import { at, card, entry, expectations, runScenario, type Base, type Scenario } from './scenario-harness.js';

// 2025-03-10 is a Monday; 2025-03-15 Saturday; 2025-05-01 (Thursday) is a holiday.
const rules = validateRules({
  profile: 'gate',
  schedules: {
    student: [
      { days: [1, 2, 3, 4, 5], from: '07:30', to: '18:00' },
      { days: [6], from: '08:00', to: '13:00' },
    ],
    staff: [{ days: [1, 2, 3, 4, 5, 6], from: '06:00', to: '21:00' }],
  },
  holidays: ['2025-05-01', '2025-05-09'],
  antiPassback: { enabled: true, resetAtLocal: '03:00' },
  staffOverride: true,
  repeatWindowSec: 10,
}) as GateRules;

const allDay: GateRules = { ...rules, schedules: { ...rules.schedules, student: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] } };
const noOverride: GateRules = { ...rules, staffOverride: false };
const noAntiPassback: GateRules = { ...rules, antiPassback: { enabled: false, resetAtLocal: '03:00' } };

const S = card('tok-S');
const student = entry('roster', 'tok-S', { attrs: { schoolId: 'sch1', classId: '5A', role: 'student' } });
const staff = entry('roster', 'tok-S', { attrs: { schoolId: 'sch1', role: 'staff' } });
const OUT = { direction: 'OUT' as const };

const base: Base = {
  rules,
  context: { deviceId: 'gate-1', profile: 'gate', schoolId: 'sch1', direction: 'IN', utcOffsetMinutes: 180 },
  card: S,
  entries: [student],
};

const scenarios: Scenario[] = [
  { name: 'rostered student enters within the schedule → PASSAGE IN', steps: [
    { at: '2025-03-10 08:00', expect: ['ALLOW', 'OK_PASSAGE', { counted: 'PASSAGE', direction: 'IN', message: { ru: 'Проходите' } }] }] },
  { name: 'not on the roster → DENY', entries: [],
    steps: [{ at: '2025-03-10 08:00', expect: ['DENY', 'NOT_ON_ROSTER', { counted: null, message: { ru: 'Нет доступа' } }] }] },
  { name: 'on another school’s roster → DENY', entries: [entry('roster', 'tok-S', { attrs: { schoolId: 'sch2', role: 'student' } })],
    steps: [{ at: '2025-03-10 08:00', expect: ['DENY', 'NOT_ON_ROSTER'] }] },
  { name: 'stop-listed card → DENY, also on exit', entries: [student, entry('stoplist', 'tok-S')], steps: [
    { at: '2025-03-10 08:00', expect: ['DENY', 'STOPLISTED'] },
    { at: '2025-03-10 15:00', context: OUT, expect: ['DENY', 'STOPLISTED'] }] },
  { name: 'roster entry past its validTo → DENY', entries: [entry('roster', 'tok-S', { validTo: '2025-03-10', attrs: { schoolId: 'sch1', role: 'student' } })],
    steps: [
      { at: '2025-03-10 08:00', expect: ['ALLOW', 'OK_PASSAGE'] },
      { at: '2025-03-11 08:00', expect: ['DENY', 'ENTRY_EXPIRED'] }] },
  { name: 'in, out, in again: each passage counted with its direction', steps: [
    { at: '2025-03-10 08:00', expect: ['ALLOW', 'OK_PASSAGE', { direction: 'IN' }] },
    { at: '2025-03-10 12:00', context: OUT, expect: ['ALLOW', 'OK_PASSAGE', { counted: 'PASSAGE', direction: 'OUT', message: { ru: 'До свидания' } }] },
    { at: '2025-03-10 12:30', expect: ['ALLOW', 'OK_PASSAGE', { direction: 'IN' }] }] },
  { name: 'anti-passback: a second entry without an exit → DENY', steps: [
    { at: '2025-03-10 08:00', expect: ['ALLOW', 'OK_PASSAGE'] },
    { at: '2025-03-10 12:00', expect: ['DENY', 'ANTI_PASSBACK', { counted: null, message: { ru: 'Вы уже вошли' } }] }] },
  { name: 'anti-passback night reset at 03:00 forgets a missed exit', rules: allDay, steps: [
    { at: '2025-03-10 17:00', expect: ['ALLOW', 'OK_PASSAGE'] },
    { at: '2025-03-11 02:59:59', expect: ['DENY', 'ANTI_PASSBACK'] },
    { at: '2025-03-11 03:00:00', expect: ['ALLOW', 'OK_PASSAGE'] }] },
  { name: 'anti-passback disabled: entries repeat freely', rules: noAntiPassback, steps: [
    { at: '2025-03-10 08:00', expect: ['ALLOW', 'OK_PASSAGE'] },
    { at: '2025-03-10 09:00', expect: ['ALLOW', 'OK_PASSAGE'] }] },
  { name: 'exit without an entry is allowed and recorded (nobody is held inside)', steps: [
    { at: '2025-03-10 15:00', context: OUT, expect: ['ALLOW', 'OK_PASSAGE', { direction: 'OUT' }] }] },
  { name: 'exit outside the schedule and on a holiday is allowed', steps: [
    { at: '2025-03-10 19:00', context: OUT, expect: ['ALLOW', 'OK_PASSAGE'] },
    { at: '2025-05-01 10:00', context: OUT, expect: ['ALLOW', 'OK_PASSAGE'] }] },
  { name: 'repeat in the same direction within 10 s → REPEAT; at 10 s anti-passback', steps: [
    { at: '2025-03-10 08:00:00', expect: ['ALLOW', 'OK_PASSAGE'] },
    { at: '2025-03-10 08:00:09.999', expect: ['REPEAT', 'REPEAT_PASSAGE', { counted: null, direction: 'IN' }] },
    { at: '2025-03-10 08:00:10', expect: ['DENY', 'ANTI_PASSBACK'] }] },
  { name: 'a quick exit after an entry is not a repeat', steps: [
    { at: '2025-03-10 08:00:00', expect: ['ALLOW', 'OK_PASSAGE'] },
    { at: '2025-03-10 08:00:05', context: OUT, expect: ['ALLOW', 'OK_PASSAGE', { direction: 'OUT' }] }] },
  { name: 'weekday schedule boundaries: 07:30 opens, 18:00 closes', steps: [
    { at: '2025-03-10 07:29:59', expect: ['DENY', 'OUTSIDE_SCHEDULE', { message: { ru: 'Вход сейчас закрыт' } }] },
    { at: '2025-03-10 07:30:00', expect: ['ALLOW', 'OK_PASSAGE'] },
    { at: '2025-03-10 12:00:00', context: OUT, expect: ['ALLOW', 'OK_PASSAGE'] },
    { at: '2025-03-10 17:59:59', expect: ['ALLOW', 'OK_PASSAGE'] }] },
  { name: 'weekday schedule: 18:00 is closed', steps: [{ at: '2025-03-10 18:00', expect: ['DENY', 'OUTSIDE_SCHEDULE'] }] },
  { name: 'Saturday has its own window; Sunday is closed', steps: [
    { at: '2025-03-15 12:59', expect: ['ALLOW', 'OK_PASSAGE'] },
    { at: '2025-03-16 10:00', expect: ['DENY', 'OUTSIDE_SCHEDULE'] }] },
  { name: 'holiday → DENY entry', steps: [{ at: '2025-05-01 10:00', expect: ['DENY', 'HOLIDAY', { message: { ru: 'Сегодня выходной' } }] }] },
  { name: 'staff override: holiday, Sunday night, no anti-passback', entries: [staff], steps: [
    { at: '2025-05-01 10:00', expect: ['ALLOW', 'OK_STAFF', { counted: 'PASSAGE', direction: 'IN' }] },
    { at: '2025-05-04 23:00', expect: ['ALLOW', 'OK_STAFF'] },
    { at: '2025-05-04 23:30', expect: ['ALLOW', 'OK_STAFF'] },
    { at: '2025-05-04 23:30:05', expect: ['REPEAT', 'REPEAT_PASSAGE'] }] },
  { name: 'staff without the override follow the staff schedule and holidays', rules: noOverride, entries: [staff], steps: [
    { at: '2025-03-10 05:59', expect: ['DENY', 'OUTSIDE_SCHEDULE'] },
    { at: '2025-03-10 06:00', expect: ['ALLOW', 'OK_PASSAGE'] },
    { at: '2025-03-10 07:00', expect: ['DENY', 'ANTI_PASSBACK'] },
    { at: '2025-05-01 10:00', expect: ['DENY', 'HOLIDAY'] }] },
  { name: 'stale roster: rostered people still pass, flagged', lists: { roster: { stale: true } }, steps: [
    { at: '2025-03-10 08:00', expect: ['ALLOW', 'OK_PASSAGE', { flags: { staleList: true, restricted: true } }] },
    { at: '2025-03-10 09:00', expect: ['DENY', 'ANTI_PASSBACK', { flags: { staleList: true, restricted: true } }] }] },
  { name: 'stale roster: people not on it are refused, flagged stale', lists: { roster: { stale: true } }, entries: [],
    steps: [{ at: '2025-03-10 08:00', expect: ['DENY', 'NOT_ON_ROSTER', { flags: { staleList: true, restricted: false } }] }] },
  { name: 'repeat across a reboot uses wall time', steps: [
    { at: '2025-03-10 08:00:00', expect: ['ALLOW', 'OK_PASSAGE'] },
    { at: '2025-03-10 08:00:02', reboot: true },
    { at: '2025-03-10 08:00:05', expect: ['REPEAT', 'REPEAT_PASSAGE'] },
    { at: '2025-03-10 08:00:10', expect: ['DENY', 'ANTI_PASSBACK'] }] },
  { name: 'wall clock stepped back 6 h (before the reset hour): anti-passback holds, flagged', rules: allDay, steps: [
    { at: '2025-03-11 08:00', expect: ['ALLOW', 'OK_PASSAGE'] },
    { wallJumpMs: -6 * 3_600_000 },
    { at: '2025-03-11 08:01', expect: ['DENY', 'ANTI_PASSBACK', { flags: { clockFault: true } }] }] },
  { name: 'a reader with no direction configured → DENY', context: { direction: undefined as never },
    steps: [{ at: '2025-03-10 08:00', expect: ['DENY', 'DEVICE_NOT_CONFIGURED'] }] },
];

describe('gate decisions', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, sc) => {
    const results = runScenario(base, sc);
    expectations(sc).forEach(({ at: when, expect: [outcome, reason, more] }, i) => {
      const d = results[i]!.decision;
      expect({ when, outcome: d.outcome, reason: d.reason }).toEqual({ when, outcome, reason });
      if (more) expect(d, when).toMatchObject(more);
    });
  });

  it('anti-passback ignores passages before the reset even when the store returns them', () => {
    const inAt = (local: string): UsageEvent => ({
      seq: 1, wallMs: at(local), monoMs: 0, bootId: 'old', kind: 'PASSAGE', direction: 'IN', amountKopecks: 0, free: true,
    });
    const fresh = { version: 1, stale: false, loaded: true };
    const input = {
      card: S,
      entries: [student],
      context: base.context,
      rules,
      lists: { stoplist: fresh, roster: fresh },
      time: { wallMs: at('2025-03-11 08:00'), monoMs: 1, bootId: 'now', clockFault: false },
    };
    expect(decide({ ...input, history: [inAt('2025-03-11 02:59')] }).outcome).toBe('ALLOW');
    expect(decide({ ...input, history: [inAt('2025-03-11 03:00')] }).reason).toBe('ANTI_PASSBACK');
  });

  it('gate rules on a bus device → DEVICE_NOT_CONFIGURED', () => {
    const [r] = runScenario({ ...base, context: { ...base.context, profile: 'bus' } }, {
      name: 'mismatch',
      steps: [{ at: '2025-03-10 08:00', expect: ['DENY', 'DEVICE_NOT_CONFIGURED'] }],
    });
    expect(r!.decision.reason).toBe('DEVICE_NOT_CONFIGURED');
  });
});
