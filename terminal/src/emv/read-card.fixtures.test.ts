/**
 * Every transcript of a real (or documented synthetic) card, replayed in-process, gives the
 * PAN, expiry and PSN that the fixture INDEX lists, or the expected error. The expectations are
 * parsed from INDEX.md, written independently of this code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRescardError } from '@rescard/shared';
import { EMV_FIXTURES_DIR, ReplayCard, readTranscriptFile } from '@rescard/hardware-sim';
import { readCard } from './read-card.js';
import { withTransportRules } from './transport.js';

interface IndexRow {
  readonly file: string;
  readonly pan: string | null;
  readonly expiry: string | null;
  readonly psn: string | null;
}

function indexRows(): IndexRow[] {
  const lines = readFileSync(`${EMV_FIXTURES_DIR}/INDEX.md`, 'utf8').split('\n');
  return lines
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.split('|').map((c) => c.trim()))
    .map((c) => {
      const pan = /^(\d+)/.exec(c[5] ?? '')?.[1] ?? null;
      const exp = /^(\d{4,6})/.exec(c[6] ?? '')?.[1] ?? null;
      const psn = /^([0-9A-F]{2})$/.exec(c[7] ?? '')?.[1] ?? null;
      return {
        file: (c[1] ?? '').replace(/`/g, ''),
        pan,
        expiry: exp ? `20${exp.slice(0, 2)}-${exp.slice(2, 4)}` : null,
        psn,
      };
    });
}

async function replay(file: string): Promise<ReplayCard> {
  return new ReplayCard(await readTranscriptFile(`${EMV_FIXTURES_DIR}/${file}`));
}

const fixedInputs = { now: new Date('2026-11-22T10:00:00Z'), unpredictable: Buffer.from('A1B2C3D4', 'hex') };

describe('real card transcripts read through the EMV flow', () => {
  const rows = indexRows();

  it('the index lists every transcript', () => {
    expect(rows.length).toBeGreaterThanOrEqual(11);
  });

  for (const row of rows.filter((r) => r.pan !== null)) {
    it(`${row.file}: PAN, expiry and PSN as the index lists them`, async () => {
      const card = await replay(row.file);
      const data = await readCard(withTransportRules((c) => Promise.resolve(card.transmit(c))), fixedInputs);
      expect(data.pan).toBe(row.pan);
      expect(data.expiry).toBe(row.expiry);
      expect(data.psn).toBe(row.psn);
    });
  }

  it('devnied-locked-aid-6985: every application refuses selection → CARD_NO_APPLICATION', async () => {
    const card = await replay('devnied-locked-aid-6985.apdu');
    const read = readCard(withTransportRules((c) => Promise.resolve(card.transmit(c))), fixedInputs);
    await expect(read).rejects.toSatisfy((err) => isRescardError(err, 'CARD_NO_APPLICATION'));
  });

  for (const [file, sw] of [
    ['devnied-sw61-get-response.apdu', '61'],
    ['devnied-sw6c-wrong-le.apdu', '6C'],
  ] as const) {
    it(`${file}: the transport rules turn a ${sw}xx answer into the full FCI with 9000`, async () => {
      const transcript = await readTranscriptFile(`${EMV_FIXTURES_DIR}/${file}`);
      const card = new ReplayCard(transcript);
      const first = transcript.exchanges[0]!;
      expect(first.response.toString('hex').toUpperCase().startsWith(sw)).toBe(true);
      const response = await withTransportRules((c) => Promise.resolve(card.transmit(c)))(first.command);
      expect(response.subarray(-2).toString('hex')).toBe('9000');
      expect(response[0]).toBe(0x6f);
    });
  }
});
