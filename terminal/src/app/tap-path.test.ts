/**
 * The device loop end to end in-process: modelled cards on a FakeCardReader, the real SQLite
 * device store in a temp folder, virtual time. Feedback only after the journal commit; no PAN in
 * the database file; read failures and a full journal recorded as faults, never as taps.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProfileCard } from '@rescard/hardware-sim';
import { FakeClock } from '../ports/clock.js';
import { FakeFeedback } from '../ports/feedback.js';
import { FakePeripherals } from '../ports/peripherals.js';
import { FakePosition } from '../ports/position.js';
import { startDeviceFixture, type DeviceFixture } from '../testing/device-fixture.js';
import busConfig from '../../examples/bus.json' with { type: 'json' };
import gateConfig from '../../examples/gate.json' with { type: 'json' };

const T0 = Date.UTC(2026, 10, 23, 6, 0); // Monday 09:00 Moscow
const fixtures: DeviceFixture[] = [];

afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.close();
});

async function device(rawConfig: unknown, clock: FakeClock, feedback: FakeFeedback, journalCapacity?: number): Promise<DeviceFixture> {
  const raw = journalCapacity ? { ...(rawConfig as object), journal: { capacityTaps: journalCapacity } } : rawConfig;
  const f = await startDeviceFixture({ rawConfig: raw, dataDir: mkdtempSync(join(tmpdir(), 'rescard-tap-')), clock, feedback });
  fixtures.push(f);
  return f;
}

function loadBenefit(f: DeviceFixture, pan: string, category: string): void {
  const meta = { list: 'benefit' as const, version: 1, issuedAtMs: T0 - 3600_000, expiresAtMs: T0 + 86_400_000, count: 1 };
  f.lists.replaceList(meta, [{ list: 'benefit', token: f.keyring.panToken(pan).token, category, validFrom: null, validTo: null, attrs: {} }]);
  f.lists.replaceList({ ...meta, list: 'stoplist' }, []);
}

describe('a bus terminal taps a benefit holder', () => {
  it('commits the tap before the feedback, counts the free ride, and stores no PAN', async () => {
    const clock = new FakeClock(T0, 1000);
    const feedback = new FakeFeedback();
    const f = await device(busConfig, clock, feedback);
    const { card, pan } = buildProfileCard('mir-debit');
    loadBenefit(f, pan, 'pensioner');
    const seen: number[] = [];
    const busy: boolean[] = [f.terminal.busy];
    const original = feedback.tap.bind(feedback);
    feedback.tap = (fb) => {
      seen.push(f.journal.pending(10).length); // what is durable at the moment of feedback
      busy.push(f.terminal.busy); // background work (folding list deltas) waits for this
      return original(fb);
    };
    await f.reader.present(card);
    busy.push(f.terminal.busy);
    expect(busy).toEqual([false, true, false]);
    expect(feedback.taps).toHaveLength(1);
    expect(feedback.taps[0]).toMatchObject({ outcome: 'ALLOW', reason: 'OK_FREE', seq: 1 });
    expect(seen).toEqual([1]);
    const [row] = f.journal.pending(10);
    expect(row).toMatchObject({ seq: 1, token: f.keyring.panToken(pan).token, panMasked: '220000******0004' });
    expect(row!.decision.counted).toBe('RIDE');
    expect(row!.listVersions).toEqual({ stoplist: 1, benefit: 1 });

    clock.advance(5_000);
    await f.reader.present(buildProfileCard('mir-debit').card);
    expect(feedback.taps[1]).toMatchObject({ outcome: 'REPEAT', seq: 2 });

    await f.close();
    fixtures.length = 0;
    const dir = f.config.dataDir;
    for (const file of readdirSync(dir)) expect(readFileSync(join(dir, file)).includes(Buffer.from(pan))).toBe(false);
  });

  it('a card not in the benefit list is NOT_ENROLLED and recorded', async () => {
    const feedback = new FakeFeedback();
    const f = await device(busConfig, new FakeClock(T0), feedback);
    loadBenefit(f, '2202000000000002', 'pensioner');
    await f.reader.present(buildProfileCard('visa').card);
    expect(feedback.taps[0]).toMatchObject({ outcome: 'NOT_ENROLLED' });
    expect(f.journal.stats().depth).toBe(1);
  });

  it('a card taken away mid-read is a fault: nothing recorded, the passenger asked to tap again', async () => {
    const feedback = new FakeFeedback();
    const f = await device(busConfig, new FakeClock(T0), feedback);
    await f.reader.present(buildProfileCard('fault-malformed-tlv').card);
    expect(feedback.taps).toHaveLength(0);
    expect(feedback.faults[0]).toMatchObject({ kind: 'READ_FAILED', code: 'CARD_MALFORMED_RESPONSE' });
    expect(f.journal.stats().depth).toBe(0);
  });

  it('a full journal refuses taps as out of service and never drops a recorded one', async () => {
    const feedback = new FakeFeedback();
    const clock = new FakeClock(T0);
    const f = await device(busConfig, clock, feedback, 10);
    for (let i = 0; i < 11; i += 1) {
      clock.advance(120_000);
      await f.reader.present(buildProfileCard('visa').card);
    }
    expect(feedback.taps).toHaveLength(10);
    expect(feedback.faults).toEqual([expect.objectContaining({ kind: 'OUT_OF_SERVICE', code: 'JOURNAL_FULL' })]);
    expect(f.journal.pending(100).map((t) => t.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(f.journal.stats().alarm).toBe(true);
  });

  it('stale lists put the device in restricted mode and flag the taps', async () => {
    const feedback = new FakeFeedback();
    const f = await device(busConfig, new FakeClock(T0 + 2 * 86_400_000), feedback);
    const { card, pan } = buildProfileCard('mir-debit');
    loadBenefit(f, pan, 'pensioner'); // expires T0 + 1 day
    await f.reader.present(card);
    expect(feedback.taps[0]).toMatchObject({ outcome: 'ALLOW', restricted: true });
    expect(f.journal.pending(1)[0]!.decision.flags.staleList).toBe(true);
    expect(feedback.statuses.at(-1)).toMatchObject({ restricted: true });
  });
});

describe('a bus with a GPS', () => {
  it('stamps each tap with position, speed, fix quality and stop; flags a stale fix instead of guessing', async () => {
    const clock = new FakeClock(T0, 1000);
    const feedback = new FakeFeedback();
    const route = { id: 'r42', stops: [{ id: 'stop-7', lat: 55.7558, lon: 37.6173, radiusM: 60 }] };
    const position = new FakePosition(3000, route);
    const f = await startDeviceFixture({ rawConfig: busConfig, dataDir: mkdtempSync(join(tmpdir(), 'rescard-gps-')), clock, feedback, position });
    fixtures.push(f);
    position.setFix({ lat: 55.7559, lon: 37.6174, speedKmh: 3.2, quality: 1, fixWallMs: T0 }, clock.monoMs());
    await f.reader.present(buildProfileCard('visa').card);
    clock.advance(10_000); // the receiver went quiet: the fix is now 10 s old
    await f.reader.present(buildProfileCard('mastercard').card);
    const [first, second] = f.journal.pending(10);
    expect(first!.position).toMatchObject({ lat: 55.7559, lon: 37.6174, speedKmh: 3.2, quality: 1, stopId: 'stop-7', flag: 'OK' });
    expect(second!.position).toMatchObject({ stopId: null, flag: 'STALE' });
    expect(feedback.taps[0]!.stop).toEqual({ stopId: 'stop-7', flag: 'OK' });
  });
});

describe('a gate with a turnstile', () => {
  it('counts a passage only when the sensor confirms it; a release nobody used counts nothing', async () => {
    const clock = new FakeClock(T0);
    const feedback = new FakeFeedback();
    const peripherals = new FakePeripherals();
    const f = await startDeviceFixture({ rawConfig: gateConfig, dataDir: mkdtempSync(join(tmpdir(), 'rescard-turnstile-')), clock, feedback, peripherals });
    fixtures.push(f);
    const { pan } = buildProfileCard('mir-debit');
    const meta = { list: 'roster' as const, version: 1, issuedAtMs: T0 - 1000, expiresAtMs: T0 + 86_400_000, count: 1 };
    f.lists.replaceList(meta, [{ list: 'roster', token: f.keyring.panToken(pan).token, category: null, validFrom: null, validTo: null, attrs: { schoolId: 'school-7', classId: '5A', role: 'student' } }]);
    f.lists.replaceList({ ...meta, list: 'stoplist', count: 0 }, []);
    peripherals.passages.push('not-passed', 'passed');
    const tap = async (): Promise<void> => {
      clock.advance(60_000);
      await f.reader.present(buildProfileCard('mir-debit').card, 'Virtual PCD 00 00');
    };
    await tap(); // released, nobody went through: not counted, so the next entry is no passback
    await tap(); // released, passed: counted
    await tap(); // a second entry without an exit: anti-passback
    expect(peripherals.releases).toEqual([{ direction: 'IN', ms: 3000 }, { direction: 'IN', ms: 3000 }]);
    expect(peripherals.indications.map((i) => i.outcome)).toEqual(['ALLOW', 'ALLOW', 'DENY']);
    const rows = f.journal.pending(10);
    expect(rows.map((r) => [r.seq, r.decision.reason, r.passage ?? null, r.decision.counted])).toEqual([
      [1, 'OK_PASSAGE', 'PENDING', null],
      [2, 'NOT_PASSED', 'NOT_PASSED', null],
      [3, 'OK_PASSAGE', 'PENDING', null],
      [4, 'PASSAGE_CONFIRMED', 'PASSED', 'PASSAGE'],
      [5, 'ANTI_PASSBACK', null, null],
    ]);
    expect(rows[3]!.refTapId).toBe(rows[2]!.tapId);
    expect(feedback.passages.map((p) => p.passed)).toEqual([false, true]);
  });

  it('a turnstile that goes offline raises the alarm; decisions are still recorded', async () => {
    const clock = new FakeClock(T0);
    const feedback = new FakeFeedback();
    const peripherals = new FakePeripherals();
    const f = await startDeviceFixture({ rawConfig: gateConfig, dataDir: mkdtempSync(join(tmpdir(), 'rescard-turnstile-')), clock, feedback, peripherals });
    fixtures.push(f);
    peripherals.setOnline(false);
    await new Promise((r) => setTimeout(r, 10));
    expect(feedback.statuses.at(-1)).toMatchObject({ peripheralsOffline: true });
    await f.reader.present(buildProfileCard('visa').card, 'Virtual PCD 00 00');
    expect(f.journal.pending(5).map((r) => r.decision.reason)).toEqual(['NOT_ON_ROSTER']);
  });
});

describe('a gate with an IN and an OUT reader', () => {
  it('takes the direction from the reader, and anti-passback needs an exit between entries', async () => {
    const clock = new FakeClock(T0);
    const feedback = new FakeFeedback();
    const f = await device(gateConfig, clock, feedback);
    const { pan } = buildProfileCard('mir-debit');
    const token = f.keyring.panToken(pan).token;
    const meta = { list: 'roster' as const, version: 3, issuedAtMs: T0 - 1000, expiresAtMs: T0 + 86_400_000, count: 1 };
    f.lists.replaceList(meta, [{ list: 'roster', token, category: null, validFrom: null, validTo: null, attrs: { schoolId: 'school-7', classId: '5A', role: 'student' } }]);
    f.lists.replaceList({ ...meta, list: 'stoplist', count: 0 }, []);
    const tap = async (reader: string): Promise<void> => {
      clock.advance(60_000);
      await f.reader.present(buildProfileCard('mir-debit').card, reader);
    };
    await tap('Virtual PCD 00 00');
    await tap('Virtual PCD 00 00');
    await tap('Virtual PCD 00 01');
    await tap('Virtual PCD 00 00');
    expect(feedback.taps.map((t) => [t.outcome, t.direction ?? null])).toEqual([
      ['ALLOW', 'IN'],
      ['DENY', null],
      ['ALLOW', 'OUT'],
      ['ALLOW', 'IN'],
    ]);
    expect(feedback.taps[1]!.reason).toBe('ANTI_PASSBACK');
  });
});
