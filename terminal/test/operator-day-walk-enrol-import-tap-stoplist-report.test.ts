/**
 * Issue 5's "Done when", end to end with real processes (scripts/src/day-walk.ts, also demo
 * part 4): a TLS server; a technician enrols a bus, a gate and a canteen reader; an operator
 * imports holders, a roster and canteen entitlements; virtual cards are tapped through pcscd;
 * a stop-listed card is refused within seconds; the month's reports have the right numbers; and
 * no test PAN is anywhere on disk, in the output, in any MQTT message or in the reports.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maskPan } from '@rescard/shared';
import { runDayWalk, type DayWalkResult } from '../../scripts/src/day-walk.js';

let walked: DayWalkResult | null = null;
const lines: string[] = [];

afterAll(() => {
  if (walked !== null) rmSync(walked.dir, { recursive: true, force: true });
});

function* filesUnder(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

describe('an operator and a technician through a day', () => {
  it('enrol three devices, import holders and a roster, tap, stop-list a card, and report the month without leaking a PAN', async () => {
    const r = await runDayWalk({ vpcdPort: 35963, say: (line) => lines.push(line) });
    walked = r;
    const context = `${lines.join('\n')}\n--- captured ---\n${r.captured.slice(-4000)}`;

    // 1-2. TLS broker; enrolled configs use it; the registry lists the three devices.
    expect(r.ports.mqtts, context).toBeGreaterThan(0);
    for (const id of ['bus-0001', 'gate-0001', 'canteen-0001']) {
      expect(r.mqttUrls[id], id).toBe(`mqtts://127.0.0.1:${r.ports.mqtts}`);
      expect(r.registry, context).toContain(id);
    }
    // 3. Imports applied.
    expect(r.imports).toEqual({ holders: 'applied', roster: 'applied', canteen: 'applied' });
    // 4. Decisions.
    expect(r.decisions.busRide1, context).toContain('OK_FREE');
    expect(r.decisions.busRepeat, context).toContain('REPEAT');
    expect(r.decisions.busRide2, context).toContain('OK_FREE');
    expect(r.decisions.gateIn, context).toContain('OK_PASSAGE');
    expect(r.decisions.gatePassage, context).toContain('проход зарегистрирован');
    expect(r.decisions.canteenMeal, context).toContain('OK_MEAL');
    // Every device held every list its profile needs (the server starts with an empty, signed
    // stop-list): no decision was taken in restricted mode.
    for (const [step, line] of Object.entries(r.decisions)) expect(line, step).not.toContain('ограниченный режим');
    // 5. The stop-list reached the bus within seconds and the card is refused.
    expect(r.stoplist.reachedBusMs, context).toBeLessThan(10_000);
    expect(r.stoplist.atOrPast).toContain('bus-0001');
    expect(r.decisions.busAfterStop, context).toContain('STOPLISTED');
    // 6. Reports: two rides (the repeat and the refusal not counted), present in 5A, one meal.
    expect(r.figures.pensionerRides, r.reports.benefitTrips).toBe(2);
    expect(r.figures.studentAttendance, r.reports.attendance).toBe('present');
    expect(r.figures.studentClass, r.reports.attendance).toBe('5A');
    expect(r.figures.studentMeals, r.reports.meals).toBe(1);
    // 7. No PAN anywhere: data folders (server and devices), captured output, reports.
    // Every MQTT message of the day (the server ran with --mqtt-capture): taps from all three
    // devices, acks, lists; read after the server stopped (the file is complete).
    const mqtt = readFileSync(r.mqttCapture, 'utf8');
    for (const id of ['bus-0001', 'gate-0001', 'canteen-0001']) expect(mqtt).toContain(`"topic":"rescard/v1/dev/${id}/taps"`);
    expect(mqtt).toContain('"topic":"rescard/v1/lists/region/stoplist"');
    const haystacks: [string, string][] = [['captured output', r.captured], ['said', lines.join('\n')], ['captured MQTT messages', mqtt], ...Object.entries(r.reports)];
    let files = 0;
    for (const dataDir of r.dataDirs) {
      for (const file of filesUnder(dataDir)) {
        files++;
        haystacks.push([file, readFileSync(file).toString('latin1')]);
      }
    }
    expect(files).toBeGreaterThan(5);
    // The search looks at real output: the masked PANs are there (the full ones must not be).
    for (const pan of r.pans) expect(r.captured).toContain(maskPan(pan));
    for (const pan of r.pans) expect(mqtt).toContain(maskPan(pan));
    for (const pan of r.pans) {
      for (const [where, text] of haystacks) expect(text.includes(pan), `${where} holds a test PAN`).toBe(false);
    }
  }, 240_000);
});
