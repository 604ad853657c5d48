import { describe, expect, it } from 'vitest';
import { emvFixturePath } from '../fixtures.js';
import { parseTranscript, readTranscriptFile } from '../transcript/transcript.js';
import { ReplayCard } from './replay-card.js';
import { CONTACTLESS_ATR } from './virtual-card.js';

const PPSE = '00A404000E325041592E5359532E444446303100';

async function replay(file: string): Promise<{ card: ReplayCard; tx: (hex: string) => string }> {
  const card = new ReplayCard(await readTranscriptFile(emvFixturePath(file)));
  return { card, tx: (hex) => card.transmit(Buffer.from(hex, 'hex')).toString('hex').toUpperCase() };
}

describe('ReplayCard', () => {
  it('replays a transcript verbatim when the terminal sends the recorded commands', async () => {
    const t = await readTranscriptFile(emvFixturePath('visa-debit-comdirect-de-a.apdu'));
    const card = new ReplayCard(t);
    for (const e of t.exchanges) expect(card.transmit(e.command).equals(e.response)).toBe(true);
    expect(card.atr).toEqual(CONTACTLESS_ATR);
  });

  it('matches GPO on the header only, so a new unpredictable number and date still get the answer', async () => {
    const { tx } = await replay('mir-synthetic.apdu');
    tx(PPSE);
    tx('00A4040007A000000658101000');
    const otherUn = `80A80000238321${'36000000000000000100000000000000064300000000000643270101'}00DEADBEEF00`;
    expect(tx(otherUn)).toBe('770A820219809404080101009000');
  });

  it('matches SELECT by the AID in the data field, whatever Le', async () => {
    const { tx } = await replay('mir-synthetic.apdu');
    expect(tx('00A4040007A0000006581010')).toMatch(/^6F2E8407A0000006581010/);
    expect(tx('00A4040007A000000003101000')).toBe('6A82');
  });

  it('follows repeated commands in file order: 6C4F first, then the record for the re-send', async () => {
    const { tx } = await replay('devnied-visa-ppse6700-le6c.apdu');
    expect(tx(PPSE)).toBe('6700');
    expect(tx('00A4040005A00000000300')).toMatch(/^6F33/);
    expect(tx(`80A80000238321${'11'.repeat(33)}00`)).toBe('800E7C000801010010010500180102019000');
    expect(tx('00B2010C00')).toBe('6C4F');
    expect(tx('00B2010C4F')).toMatch(/^703557135772829193253472D1408/);
    // asked again: the last answer for that record is repeated
    expect(tx('00B2010C4F')).toMatch(/^7035/);
    expect(tx('00B2115C00')).toBe('6885');
  });

  it('prefers the byte-identical recorded command among unused ones', async () => {
    const { tx } = await replay('devnied-visa-ppse6700-le6c.apdu');
    expect(tx('00B2010C4F')).toMatch(/^7035/);
    expect(tx('00B2010C00')).toBe('6C4F');
  });

  it('answers GET RESPONSE in transcript order (61xx card)', async () => {
    const { tx } = await replay('devnied-sw61-get-response.apdu');
    expect(tx('00A4040005A00000000300')).toBe('6133');
    expect(tx('00C0000033')).toMatch(/^6F378407A0000000031010.*9000$/);
  });

  it('answers 6D00 to an unknown command and 6A82 to an unknown SELECT', async () => {
    const { tx } = await replay('mir-synthetic.apdu');
    expect(tx('80CA9F3600')).toBe('6D00');
    expect(tx('00A4040007A000000004101000')).toBe('6A82');
  });

  it('starts over on reset (power-on, new tap)', async () => {
    const { card, tx } = await replay('devnied-sw6c-wrong-le.apdu');
    expect(tx('00A4040005A00000000300')).toBe('6C01');
    expect(tx('00A4040005A00000000300')).toMatch(/^6F37/);
    expect(card.usedCount).toBe(2);
    card.reset();
    expect(card.usedCount).toBe(0);
    expect(tx('00A4040005A00000000300')).toBe('6C01');
  });

  it('takes the ATR from an "atr" header line when present', () => {
    const card = new ReplayCard(parseTranscript('# atr: 3B 88 80 01 00 00 00 00 00 00 00 00 09\nC: 00A40400\nR: 9000'));
    expect(card.atr.toString('hex')).toBe('3b888001000000000000000009');
  });
});
