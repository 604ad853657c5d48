/** The TapJournal contract, run against FakeTapJournal and SqliteTapJournal (tap-journal.test.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import { T0, appendN, expectCode, tap, tok, usage, type StoreFactory, type StoreUnderTest } from './contract-fixtures.js';

export function tapJournalContract(name: string, factory: StoreFactory): void {
  describe(`TapJournal contract: ${name}`, () => {
    let open: StoreUnderTest[] = [];
    const make = (...args: Parameters<StoreFactory>): StoreUnderTest => {
      const s = factory(...args);
      open.push(s);
      return s;
    };
    afterEach(() => {
      for (const s of open) s.close();
      open = [];
    });

    it('assigns seq 1, 2, 3 and keeps every field of the tap', () => {
      const { journal } = make();
      const gate = tap(2, {
        parToken: tok('par'),
        context: { deviceId: 'gate-1', profile: 'gate', schoolId: 's1', direction: 'IN', utcOffsetMinutes: 180 },
        decision: {
          outcome: 'DENY', reason: 'ANTI_PASSBACK', message: { ru: 'Повторный вход', en: 'Already inside' },
          counted: null, direction: 'IN', amountKopecks: 0, flags: { staleList: true, restricted: true, clockFault: false },
        },
        listVersions: { roster: 12 },
      });
      expect(journal.append(tap(1), null).seq).toBe(1);
      expect(journal.append(gate, null)).toEqual({ ...gate, seq: 2 });
      expect(journal.append(tap(3), usage(T0)).seq).toBe(3);
      expect(journal.pending(10)).toEqual([{ ...tap(1), seq: 1 }, { ...gate, seq: 2 }, { ...tap(3), seq: 3 }]);
      expect(journal.pending(1, 1).map((t) => t.seq)).toEqual([2]);
      expect(journal.pending(0)).toEqual([]);
    });

    it('deletes acknowledged taps and never reuses their seq', () => {
      const { journal } = make();
      appendN(journal, 5);
      expect(journal.ackUpTo(3)).toBe(3);
      expect(journal.pending(10).map((t) => t.seq)).toEqual([4, 5]);
      expect(journal.ackUpTo(3)).toBe(0);
      expect(journal.ackUpTo(5)).toBe(2);
      expect(journal.stats()).toMatchObject({ depth: 0, nextSeq: 6, oldestWallMs: null });
      expect(journal.append(tap(6), null).seq).toBe(6);
    });

    it('continues the sequence after close and reopen, with the undelivered taps kept', () => {
      const first = make();
      appendN(first.journal, 4);
      first.journal.ackUpTo(4);
      first.journal.append(tap(5), usage(T0 + 5000));
      const again = first.reopen();
      open.push(again);
      expect(again.journal.pending(10)).toEqual([{ ...tap(5), seq: 5 }]);
      expect(again.journal.append(tap(6), null).seq).toBe(6);
      expect(again.lists.history(tok('card-1'), 0, 10).map((e) => e.seq)).toEqual([5]);
    });

    it('refuses taps at capacity with JOURNAL_FULL, consuming no seq and recording nothing', () => {
      const { journal, lists } = make({ capacityTaps: 5 });
      appendN(journal, 5);
      expectCode(() => journal.append(tap(6), usage(T0 + 6000)), 'JOURNAL_FULL');
      expect(journal.stats()).toMatchObject({ depth: 5, capacity: 5, nextSeq: 6, alarm: true });
      expect(lists.history(tok('card-1'), 0, 10)).toEqual([]);
      journal.ackUpTo(2);
      expect(journal.append(tap(6), null).seq).toBe(6);
      expect(journal.pending(10).map((t) => t.seq)).toEqual([3, 4, 5, 6]);
    });

    it('raises the alarm at 80% of capacity and reports depth, oldest tap and next seq', () => {
      const { journal } = make({ capacityTaps: 10 });
      expect(journal.stats()).toEqual({ depth: 0, capacity: 10, alarm: false, oldestWallMs: null, nextSeq: 1 });
      appendN(journal, 7);
      expect(journal.stats()).toEqual({ depth: 7, capacity: 10, alarm: false, oldestWallMs: tap(1).wallMs, nextSeq: 8 });
      appendN(journal, 1, 8);
      expect(journal.stats().alarm).toBe(true);
      journal.ackUpTo(1);
      expect(journal.stats()).toEqual({ depth: 7, capacity: 10, alarm: false, oldestWallMs: tap(2).wallMs, nextSeq: 9 });
    });
  });
}
