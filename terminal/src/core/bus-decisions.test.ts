import { describe, expect, it } from 'vitest';
import type { UsageEvent } from './model.js';
import { validateRules } from './rules.js';
import { at, card, entry, expectations, runScenario, type Base, type Scenario } from './scenario-harness.js';

const rules = validateRules({
  profile: 'bus',
  repeatWindowSec: 60,
  categories: {
    pensioner: { ride: 'FREE', quota: { period: 'month', limit: 18 } },
    student: { ride: 'DISCOUNT', discountPercent: 50 },
    schoolchild: { ride: 'FREE', quota: { period: 'day', limit: 2 } },
    weekly: { ride: 'FREE', quota: { period: 'week', limit: 3 } },
    disabled1: { ride: 'FREE', companion: { windowMin: 10, maxCompanions: 1 } },
    escort: { ride: 'FREE', quota: { period: 'day', limit: 1 }, companion: { windowMin: 10, maxCompanions: 2 } },
  },
  fares: { r42: { fullKopecks: 4500 }, r7: { fullKopecks: 4501 } },
  defaultFullKopecks: 5000,
  restricted: { maxRidesPerDayWhenStale: 2 },
});

const A = card('tok-A');
const benefit = (category: string, over: Parameters<typeof entry>[2] = {}): ReturnType<typeof entry> =>
  entry('benefit', 'tok-A', { category, ...over });

const base: Base = {
  rules,
  context: { deviceId: 'bus-1', profile: 'bus', routeId: 'r42', carrierId: 'c1', utcOffsetMinutes: 180 },
  card: A,
  entries: [benefit('pensioner')],
};

const ride = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ counted: 'RIDE', ...over });
const oldRide: UsageEvent = {
  seq: 1,
  wallMs: at('2025-03-14 05:30'),
  monoMs: 1,
  bootId: 'old-boot',
  kind: 'RIDE',
  amountKopecks: 0,
  free: true,
};

const scenarios: Scenario[] = [
  { name: 'stop-listed PAN token → DENY', entries: [benefit('pensioner'), entry('stoplist', 'tok-A', { attrs: { reason: 'LOST' } })],
    steps: [{ at: '2025-03-14 08:00', expect: ['DENY', 'STOPLISTED', { counted: null, message: { ru: 'Карта заблокирована' } }] }] },
  { name: 'stop-listed PAR token (phone wallet) → DENY', entries: [benefit('pensioner'), entry('stoplist', 'par-A')],
    steps: [{ at: '2025-03-14 08:00', card: card('tok-A', { parToken: 'par-A' }), expect: ['DENY', 'STOPLISTED'] }] },
  { name: 'stop-list applies to a card with no benefit', entries: [entry('stoplist', 'tok-A')],
    steps: [{ at: '2025-03-14 08:00', expect: ['DENY', 'STOPLISTED'] }] },
  { name: 'a stop-list entry before its validFrom does not block', entries: [benefit('pensioner'), entry('stoplist', 'tok-A', { validFrom: '2025-03-15' })],
    steps: [{ at: '2025-03-14 08:00', expect: ['ALLOW', 'OK_FREE'] }, { at: '2025-03-15 08:00', expect: ['DENY', 'STOPLISTED'] }] },
  { name: 'card valid through the end of its expiry month', steps: [
    { at: '2025-03-31 23:59', card: card('tok-A', { expiry: '2025-03' }), expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-04-01 00:00', card: card('tok-A', { expiry: '2025-03' }), expect: ['DENY', 'CARD_EXPIRED', { counted: null }] }] },
  { name: 'unusable card expiry → DENY', steps: [{ at: '2025-03-14 08:00', card: card('tok-A', { expiry: '25-3' }), expect: ['DENY', 'CARD_DATA_INVALID'] }] },
  { name: 'benefit validity dates are inclusive', entries: [benefit('pensioner', { validFrom: '2025-03-10', validTo: '2025-03-20' })], steps: [
    { at: '2025-03-09 23:59', expect: ['DENY', 'BENEFIT_NOT_YET_VALID'] },
    { at: '2025-03-10 00:00', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-20 23:59', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-21 00:00', expect: ['DENY', 'BENEFIT_EXPIRED'] }] },
  { name: 'FREE ride: nothing to pay, fare recorded', steps: [{ at: '2025-03-14 08:00', expect: ['ALLOW', 'OK_FREE',
    ride({ fare: { type: 'FREE', kopecks: 0, category: 'pensioner' }, amountKopecks: 0, message: { ru: 'Проезд разрешён. Осталось поездок: 17', en: 'Ride allowed. Trips left: 17' } })] }] },
  { name: 'DISCOUNT ride on the route fare: 50% of 45,01 ₽ → 22,51 ₽ (round half up)', context: { routeId: 'r7' }, entries: [benefit('student')],
    steps: [{ at: '2025-03-14 08:00', expect: ['ALLOW', 'OK_DISCOUNT', ride({ fare: { type: 'DISCOUNT', kopecks: 2251, category: 'student' }, amountKopecks: 2251,
      message: { ru: 'Скидка 50%. К оплате: 22,51 ₽.', en: '50% discount. To pay: 22.51 RUB.' } })] }] },
  { name: 'route missing from the fare table → default fare', context: { routeId: 'r99' }, entries: [benefit('student')],
    steps: [{ at: '2025-03-14 08:00', expect: ['ALLOW', 'OK_DISCOUNT', { fare: { kopecks: 2500 } }] }] },
  { name: 'card not in the benefit list → NOT_ENROLLED, recorded, not counted', entries: [],
    steps: [
      { at: '2025-03-14 08:00', expect: ['NOT_ENROLLED', 'NOT_ENROLLED', { counted: null, message: { ru: 'Оплатите проезд по обычному тарифу' } }] },
      { at: '2025-03-14 08:00:10', expect: ['NOT_ENROLLED', 'NOT_ENROLLED', { counted: null }] }] },
  { name: 'category without a rule on this device → DENY', entries: [benefit('veteran')],
    steps: [{ at: '2025-03-14 08:00', expect: ['DENY', 'CATEGORY_NOT_ACCEPTED'] }] },
  { name: 'benefit found through the PAR token (phone wallet)', entries: [entry('benefit', 'par-A', { category: 'pensioner' })],
    steps: [{ at: '2025-03-14 08:00', card: card('tok-A', { parToken: 'par-A' }), expect: ['ALLOW', 'OK_FREE'] }] },
  { name: 'repeat within 60 s → REPEAT (not counted); at 60 s a new ride', steps: [
    { at: '2025-03-14 08:00:00', expect: ['ALLOW', 'OK_FREE', ride()] },
    { at: '2025-03-14 08:00:59.999', expect: ['REPEAT', 'REPEAT_RIDE', { counted: null }] },
    { at: '2025-03-14 08:01:00', expect: ['ALLOW', 'OK_FREE', ride({ message: { ru: 'Проезд разрешён. Осталось поездок: 16' } })] }] },
  { name: 'quota: the list count plus local rides after its as-of', history: [oldRide],
    entries: [benefit('pensioner', { attrs: { usedInPeriod: 16, usedPeriod: '2025-03', usedAsOfMs: at('2025-03-14 06:00') } })], steps: [
      { at: '2025-03-14 08:00', expect: ['ALLOW', 'OK_FREE', { message: { ru: 'Проезд разрешён. Осталось поездок: 1' } }] },
      { at: '2025-03-14 09:00', expect: ['ALLOW', 'OK_FREE', { message: { ru: 'Проезд разрешён. Осталось поездок: 0' } }] },
      { at: '2025-03-14 10:00', expect: ['DENY', 'QUOTA_EXHAUSTED', { message: { ru: 'Лимит поездок на этот месяц исчерпан' } }] }] },
  { name: 'quota: a list count without as-of → every local ride of the period counts too', history: [oldRide],
    entries: [benefit('pensioner', { attrs: { usedInPeriod: 16, usedPeriod: '2025-03' } })], steps: [
      { at: '2025-03-14 08:00', expect: ['ALLOW', 'OK_FREE', { message: { ru: 'Проезд разрешён. Осталось поездок: 0' } }] },
      { at: '2025-03-14 09:00', expect: ['DENY', 'QUOTA_EXHAUSTED'] }] },
  { name: 'month quota resets on the 1st, no carry-over', entries: [benefit('pensioner', { attrs: { usedInPeriod: 18, usedPeriod: '2025-03', usedAsOfMs: at('2025-03-31 00:00') } })],
    steps: [
      { at: '2025-03-31 23:59:59', expect: ['DENY', 'QUOTA_EXHAUSTED'] },
      { at: '2025-04-01 00:00:00', expect: ['ALLOW', 'OK_FREE', { message: { en: 'Ride allowed. Trips left: 17' } }] }] },
  { name: 'day quota: local rides of yesterday do not count today', entries: [benefit('schoolchild')], steps: [
    { at: '2025-03-14 23:57', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-14 23:58', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-14 23:59:30', expect: ['DENY', 'QUOTA_EXHAUSTED', { message: { ru: 'Лимит поездок на сегодня исчерпан' } }] },
    { at: '2025-03-15 00:00:30', expect: ['ALLOW', 'OK_FREE', { message: { en: 'Ride allowed. Trips left: 1' } }] }] },
  { name: 'week quota resets on Monday (ISO week)', entries: [benefit('weekly')], steps: [
    { at: '2025-03-16 10:00', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-16 11:00', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-16 12:00', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-16 23:59', expect: ['DENY', 'QUOTA_EXHAUSTED'] },
    { at: '2025-03-17 00:00', expect: ['ALLOW', 'OK_FREE'] }] },
  { name: 'companion: a second tap in the window counts a companion, then REPEAT until the window ends', entries: [benefit('disabled1')], steps: [
    { at: '2025-03-14 08:00:00', expect: ['ALLOW', 'OK_FREE', ride()] },
    { at: '2025-03-14 08:00:10', expect: ['ALLOW', 'OK_COMPANION', { counted: 'COMPANION', fare: { type: 'FREE' }, message: { ru: 'Сопровождающий: проезд разрешён' } }] },
    { at: '2025-03-14 08:00:20', expect: ['REPEAT', 'REPEAT_RIDE'] },
    { at: '2025-03-14 08:09:59', expect: ['REPEAT', 'REPEAT_RIDE'] },
    { at: '2025-03-14 08:10:00', expect: ['ALLOW', 'OK_FREE', ride()] }] },
  { name: 'companion window edge: just inside counts a companion', entries: [benefit('disabled1')], steps: [
    { at: '2025-03-14 08:00:00', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-14 08:09:59.999', expect: ['ALLOW', 'OK_COMPANION'] }] },
  { name: 'companion window edge: at windowMin it is the holder’s new ride', entries: [benefit('disabled1')], steps: [
    { at: '2025-03-14 08:00:00', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-14 08:10:00', expect: ['ALLOW', 'OK_FREE', ride()] }] },
  { name: 'companion bounce guard: a tap within 3 s is REPEAT, at 3 s a companion', entries: [benefit('disabled1')], steps: [
    { at: '2025-03-14 08:00:00', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-14 08:00:02.999', expect: ['REPEAT', 'REPEAT_RIDE'] },
    { at: '2025-03-14 08:00:03', expect: ['ALLOW', 'OK_COMPANION'] }] },
  { name: 'companions do not use the holder’s quota; two allowed per ride', entries: [benefit('escort')], steps: [
    { at: '2025-03-14 08:00:00', expect: ['ALLOW', 'OK_FREE', { message: { en: 'Ride allowed. Trips left: 0' } }] },
    { at: '2025-03-14 08:00:05', expect: ['ALLOW', 'OK_COMPANION'] },
    { at: '2025-03-14 08:00:10', expect: ['ALLOW', 'OK_COMPANION'] },
    { at: '2025-03-14 08:00:15', expect: ['REPEAT', 'REPEAT_RIDE'] },
    { at: '2025-03-14 09:00:00', expect: ['DENY', 'QUOTA_EXHAUSTED'] }] },
  { name: 'no companion allowance: a second tap in the repeat window is REPEAT', steps: [
    { at: '2025-03-14 08:00:00', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-14 08:00:10', expect: ['REPEAT', 'REPEAT_RIDE'] }] },
  { name: 'windows use monotonic time: a wall clock stepped forward 2 h still sees the repeat', steps: [
    { at: '2025-03-14 08:00:00', expect: ['ALLOW', 'OK_FREE'] },
    { wallJumpMs: 2 * 3_600_000 },
    { at: '2025-03-14 08:00:30', expect: ['REPEAT', 'REPEAT_RIDE', { flags: { clockFault: false } }] }] },
  { name: 'wall clock jumps back 1 h: fault flagged, trusted time keeps going', steps: [
    { at: '2025-03-14 08:00:00', expect: ['ALLOW', 'OK_FREE', { flags: { clockFault: false } }] },
    { wallJumpMs: -3_600_000 },
    { at: '2025-03-14 08:00:30', expect: ['REPEAT', 'REPEAT_RIDE', { flags: { clockFault: true } }] },
    { at: '2025-03-14 08:05:00', expect: ['ALLOW', 'OK_FREE', { flags: { clockFault: true } }] }] },
  { name: 'wall clock jumps back across the 1st: the new month stays open, the old one stays closed',
    entries: [benefit('pensioner', { attrs: { usedInPeriod: 18, usedPeriod: '2025-03', usedAsOfMs: at('2025-03-31 00:00') } })], steps: [
      { at: '2025-04-01 00:00:10', expect: ['ALLOW', 'OK_FREE'] },
      { wallJumpMs: -600_000 },
      { at: '2025-04-01 00:05:00', expect: ['ALLOW', 'OK_FREE', { flags: { clockFault: true } }] }] },
  { name: 'across a reboot windows use wall time', steps: [
    { at: '2025-03-14 08:00:00', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-14 08:00:10', reboot: true },
    { at: '2025-03-14 08:00:30', expect: ['REPEAT', 'REPEAT_RIDE'] },
    { at: '2025-03-14 08:01:00', expect: ['ALLOW', 'OK_FREE'] }] },
  { name: 'reboot with an unset RTC (1970): fault, time resumes from the persisted instant', steps: [
    { at: '2025-03-14 08:00:00', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-14 08:00:10', reboot: true },
    { wallJumpMs: -at('2025-03-14 08:00') },
    { at: '2025-03-14 08:00:30', expect: ['REPEAT', 'REPEAT_RIDE', { flags: { clockFault: true } }] },
    { at: '2025-03-14 08:01:30', expect: ['ALLOW', 'OK_FREE', { flags: { clockFault: true } }] }] },
  { name: 'stale benefit list: rides up to the daily cap, flagged restricted', lists: { benefit: { stale: true } }, steps: [
    { at: '2025-03-14 08:00', expect: ['ALLOW', 'OK_FREE', { flags: { staleList: true, restricted: true } }] },
    { at: '2025-03-14 09:00', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-14 10:00', expect: ['DENY', 'RESTRICTED_LIMIT', { flags: { staleList: true, restricted: true } }] },
    { at: '2025-03-15 08:00', expect: ['ALLOW', 'OK_FREE', { flags: { restricted: true } }] }] },
  { name: 'stale stop-list: still applied, flagged stale', lists: { stoplist: { stale: true } }, entries: [benefit('pensioner'), entry('stoplist', 'tok-A')],
    steps: [{ at: '2025-03-14 08:00', expect: ['DENY', 'STOPLISTED', { flags: { staleList: true, restricted: false } }] }] },
  { name: 'stale stop-list: benefits fall under the restricted cap too', lists: { stoplist: { stale: true } }, steps: [
    { at: '2025-03-14 08:00', expect: ['ALLOW', 'OK_FREE', { flags: { staleList: true, restricted: true } }] },
    { at: '2025-03-14 09:00', expect: ['ALLOW', 'OK_FREE'] },
    { at: '2025-03-14 10:00', expect: ['DENY', 'RESTRICTED_LIMIT'] }] },
  { name: 'benefit list never loaded: NOT_ENROLLED, flagged stale', entries: [], lists: { benefit: { loaded: false, stale: true, version: 0 } },
    steps: [{ at: '2025-03-14 08:00', expect: ['NOT_ENROLLED', 'NOT_ENROLLED', { flags: { staleList: true, restricted: false } }] }] },
  { name: 'fresh lists: no flags', steps: [
    { at: '2025-03-14 08:00', expect: ['ALLOW', 'OK_FREE', { flags: { staleList: false, restricted: false, clockFault: false } }] }] },
];

describe('bus decisions', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, sc) => {
    const results = runScenario(base, sc);
    expectations(sc).forEach(({ at: when, expect: [outcome, reason, more] }, i) => {
      const d = results[i]!.decision;
      expect({ when, outcome: d.outcome, reason: d.reason }).toEqual({ when, outcome, reason });
      if (more) expect(d, when).toMatchObject(more);
    });
  });

  it('trusted time after a backward jump is the extrapolated wall time', () => {
    const sc = scenarios.find((s) => s.name.startsWith('wall clock jumps back 1 h'))!;
    const results = runScenario(base, sc);
    expect(results[2]!.input.time.wallMs).toBe(at('2025-03-14 08:05:00'));
  });
});
