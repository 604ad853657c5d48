/**
 * validateRules: unknown JSON → ProfileRules, or RescardError CONFIG_INVALID naming the field path
 * (e.g. `rules.categories.veteran.quota.limit: expected an integer ≥ 1`). Unknown keys are
 * refused too, so a misspelt optional field cannot silently fall back to a default.
 * Returns a fresh copy holding only the known fields.
 */
import { RescardError } from '@rescard/shared';
import { isLocalDate, parseHhMm, type PeriodKind } from './local-time.js';
import type {
  BusCategoryRule,
  BusRules,
  CanteenRules,
  GateRules,
  MealWindow,
  ProfileRules,
  TimeWindow,
} from './rules.js';

type Obj = Record<string, unknown>;

function fail(path: string, expected: string): never {
  throw new RescardError('CONFIG_INVALID', `${path}: expected ${expected}`, { path });
}

function obj(v: unknown, path: string, keys: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object');
  const o = v as Obj;
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`${path}.${k}`, `no such field (known: ${keys.join(', ')})`);
  return o;
}

function record(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object');
  return v as Obj;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'an array');
  return v as unknown[];
}

function int(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(path, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer ${min}..${max}`);
  }
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'true or false');
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length === 0) fail(path, 'a non-empty string');
  return v;
}

function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(path, `one of ${values.join(', ')}`);
  return v as T;
}

function hhmm(v: unknown, path: string): string {
  if (typeof v !== 'string' || parseHhMm(v) === null) fail(path, "local time 'HH:MM' (00:00..24:00)");
  return v;
}

/** from < to, both 'HH:MM'. */
function span(o: Obj, path: string): { from: string; to: string } {
  const from = hhmm(o['from'], `${path}.from`);
  const to = hhmm(o['to'], `${path}.to`);
  if ((parseHhMm(from) ?? 0) >= (parseHhMm(to) ?? 0)) fail(`${path}.to`, `a time after from (${from}); split windows at midnight`);
  return { from, to };
}

function busCategory(v: unknown, path: string): BusCategoryRule {
  const o = obj(v, path, ['ride', 'discountPercent', 'quota', 'companion']);
  const ride = oneOf(o['ride'], `${path}.ride`, ['FREE', 'DISCOUNT'] as const);
  if (ride === 'FREE' && o['discountPercent'] !== undefined) fail(`${path}.discountPercent`, 'no discount on a FREE ride');
  const rule: { -readonly [K in keyof BusCategoryRule]: BusCategoryRule[K] } = { ride };
  if (ride === 'DISCOUNT') rule.discountPercent = int(o['discountPercent'], `${path}.discountPercent`, 1, 99);
  if (o['quota'] !== undefined) {
    const q = obj(o['quota'], `${path}.quota`, ['period', 'limit']);
    const period = oneOf<PeriodKind>(q['period'], `${path}.quota.period`, ['day', 'week', 'month']);
    rule.quota = { period, limit: int(q['limit'], `${path}.quota.limit`, 1) };
  }
  if (o['companion'] !== undefined) {
    const c = obj(o['companion'], `${path}.companion`, ['windowMin', 'maxCompanions', 'minGapSec']);
    const companion = {
      windowMin: int(c['windowMin'], `${path}.companion.windowMin`, 1, 1440),
      maxCompanions: int(c['maxCompanions'], `${path}.companion.maxCompanions`, 1, 10),
    };
    rule.companion =
      c['minGapSec'] === undefined
        ? companion
        : { ...companion, minGapSec: int(c['minGapSec'], `${path}.companion.minGapSec`, 0, 3600) };
  }
  return rule;
}

function busRules(o: Obj, p: string): BusRules {
  const categories: Record<string, BusCategoryRule> = {};
  for (const [k, v] of Object.entries(record(o['categories'], `${p}.categories`))) {
    categories[k] = busCategory(v, `${p}.categories.${k}`);
  }
  const fares: Record<string, { fullKopecks: number }> = {};
  for (const [k, v] of Object.entries(record(o['fares'], `${p}.fares`))) {
    const f = obj(v, `${p}.fares.${k}`, ['fullKopecks']);
    fares[k] = { fullKopecks: int(f['fullKopecks'], `${p}.fares.${k}.fullKopecks`, 0) };
  }
  const r = obj(o['restricted'], `${p}.restricted`, ['maxRidesPerDayWhenStale']);
  return {
    profile: 'bus',
    repeatWindowSec: int(o['repeatWindowSec'], `${p}.repeatWindowSec`, 0, 3600),
    categories,
    fares,
    defaultFullKopecks: int(o['defaultFullKopecks'], `${p}.defaultFullKopecks`, 0),
    restricted: { maxRidesPerDayWhenStale: int(r['maxRidesPerDayWhenStale'], `${p}.restricted.maxRidesPerDayWhenStale`, 0) },
  };
}

function timeWindows(v: unknown, path: string): TimeWindow[] {
  return arr(v, path).map((w, i) => {
    const o = obj(w, `${path}[${i}]`, ['days', 'from', 'to']);
    const days = arr(o['days'], `${path}[${i}].days`).map((d, j) => int(d, `${path}[${i}].days[${j}]`, 1, 7));
    return { days, ...span(o, `${path}[${i}]`) };
  });
}

function gateRules(o: Obj, p: string): GateRules {
  const s = obj(o['schedules'], `${p}.schedules`, ['student', 'staff']);
  const ap = obj(o['antiPassback'], `${p}.antiPassback`, ['enabled', 'resetAtLocal']);
  const holidays = arr(o['holidays'], `${p}.holidays`).map((d, i) => {
    if (typeof d !== 'string' || !isLocalDate(d)) fail(`${p}.holidays[${i}]`, 'a date YYYY-MM-DD');
    return d;
  });
  return {
    profile: 'gate',
    schedules: { student: timeWindows(s['student'], `${p}.schedules.student`), staff: timeWindows(s['staff'], `${p}.schedules.staff`) },
    holidays,
    antiPassback: { enabled: bool(ap['enabled'], `${p}.antiPassback.enabled`), resetAtLocal: hhmm(ap['resetAtLocal'], `${p}.antiPassback.resetAtLocal`) },
    staffOverride: bool(o['staffOverride'], `${p}.staffOverride`),
    repeatWindowSec: int(o['repeatWindowSec'], `${p}.repeatWindowSec`, 0, 3600),
  };
}

function canteenRules(o: Obj, p: string): CanteenRules {
  const windows: MealWindow[] = arr(o['windows'], `${p}.windows`).map((w, i) => {
    const wo = obj(w, `${p}.windows[${i}]`, ['id', 'from', 'to', 'priceKopecks']);
    const id = str(wo['id'], `${p}.windows[${i}].id`);
    return { id, ...span(wo, `${p}.windows[${i}]`), priceKopecks: int(wo['priceKopecks'], `${p}.windows[${i}].priceKopecks`, 0) };
  });
  const bounds = windows.map((w) => ({ id: w.id, from: parseHhMm(w.from) ?? 0, to: parseHhMm(w.to) ?? 0 }));
  bounds.forEach((a, i) => {
    if (bounds.findIndex((b) => b.id === a.id) !== i) fail(`${p}.windows[${i}].id`, `a unique id (${a.id} repeats)`);
    const clash = bounds.slice(0, i).find((b) => a.from < b.to && b.from < a.to);
    if (clash) fail(`${p}.windows[${i}]`, `no overlap with window ${clash.id}`);
  });
  const freeMeals: Record<string, string[]> = {};
  for (const [cat, v] of Object.entries(record(o['freeMeals'], `${p}.freeMeals`))) {
    freeMeals[cat] = arr(v, `${p}.freeMeals.${cat}`).map((id, i) =>
      oneOf(id, `${p}.freeMeals.${cat}[${i}]`, windows.map((w) => w.id)),
    );
  }
  const r = obj(o['restricted'], `${p}.restricted`, ['maxPaidKopecksPerDayWhenStale']);
  return {
    profile: 'canteen',
    windows,
    freeMeals,
    restricted: { maxPaidKopecksPerDayWhenStale: int(r['maxPaidKopecksPerDayWhenStale'], `${p}.restricted.maxPaidKopecksPerDayWhenStale`, 0) },
  };
}

const KEYS = {
  bus: ['profile', 'repeatWindowSec', 'categories', 'fares', 'defaultFullKopecks', 'restricted'],
  gate: ['profile', 'schedules', 'holidays', 'antiPassback', 'staffOverride', 'repeatWindowSec'],
  canteen: ['profile', 'windows', 'freeMeals', 'restricted'],
} as const;

/** Check profile rules from a config file. `path` names the rules' place in that file. */
export function validateRules(input: unknown, path = 'rules'): ProfileRules {
  const profile = oneOf(record(input, path)['profile'], `${path}.profile`, ['bus', 'gate', 'canteen'] as const);
  const o = obj(input, path, KEYS[profile]);
  switch (profile) {
    case 'bus':
      return busRules(o, path);
    case 'gate':
      return gateRules(o, path);
    case 'canteen':
      return canteenRules(o, path);
  }
}
