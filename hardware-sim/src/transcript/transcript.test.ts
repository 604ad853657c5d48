import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRescardError } from '@rescard/shared';
import { EMV_FIXTURES_DIR, emvFixturePath } from '../fixtures.js';
import { transcriptPan } from './transcript-pan.js';
import { parseTranscript, readTranscriptFile } from './transcript.js';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('parseTranscript', () => {
  it('reads the header, the exchanges and comments between exchanges', () => {
    const text = [
      '# source: somewhere/file.md license: Apache-2.0',
      '# scheme: Visa',
      '# note: first',
      '# note: second',
      '',
      'C: 00A4040005A00000000300',
      'R: 6C01',
      '# corrected command: resend',
      'C: 00A4 0400 05A0 0000 0003 01',
      'R: 9000',
    ].join('\n');
    const t = parseTranscript(text);
    expect(t.header).toEqual({ source: 'somewhere/file.md', license: 'Apache-2.0', scheme: 'Visa', note: 'first\nsecond' });
    expect(t.exchanges.map((e) => [e.command.toString('hex'), e.response.toString('hex'), e.line])).toEqual([
      ['00a4040005a00000000300', '6c01', 6],
      ['00a4040005a00000000301', '9000', 9],
    ]);
    expect(t.comments).toEqual([{ line: 8, text: 'corrected command: resend' }]);
  });

  it.each([
    ['C: 00A40400\nC: 00B2010C00\nR: 9000', 2, 'command without a response'],
    ['R: 9000', 1, 'response without a preceding command'],
    ['C: 00A4040\nR: 9000', 1, 'even-length hex'],
    ['C: 00A4\nR: 9000', 1, 'shorter than 4 bytes'],
    ['C: 00A40400\nR: 90', 2, 'shorter than 2 bytes'],
    ['# a\nC: 00A40400\nR: 9000\nX: 00', 4, 'expected'],
    ['# a\n\nC: 00A40400', 3, 'at end of file'],
    ['# only a header\n', 2, 'no C:/R: exchanges'],
  ])('rejects malformed input with the line number (%#)', (text, line, reason) => {
    const err = errorOf(() => parseTranscript(text, 'bad.apdu'));
    expect(isRescardError(err, 'CONFIG_INVALID')).toBe(true);
    expect(err.message).toContain(`bad.apdu line ${line}:`);
    expect(err.message).toContain(reason);
  });

  it('parses every fixture and keeps its source and licence', async () => {
    const files = readdirSync(EMV_FIXTURES_DIR).filter((f) => f.endsWith('.apdu'));
    expect(files.length).toBeGreaterThanOrEqual(11);
    for (const file of files) {
      const t = await readTranscriptFile(emvFixturePath(file));
      expect(t.header['source'], file).toBeTruthy();
      expect(t.header['license'], file).toBeTruthy();
      expect(t.exchanges.length, file).toBeGreaterThan(0);
    }
  });

  it('finds the PAN of a transcript (5A first, else 57)', async () => {
    expect(transcriptPan(await readTranscriptFile(emvFixturePath('mir-synthetic.apdu')))).toBe('2200000000000004');
    expect(transcriptPan(await readTranscriptFile(emvFixturePath('girocard-volksbank-de.apdu')))).toBe('6726426572433735329');
    expect(transcriptPan(await readTranscriptFile(emvFixturePath('devnied-visa-ppse6700-le6c.apdu')))).toBe('5772829193253472');
    expect(transcriptPan(await readTranscriptFile(emvFixturePath('devnied-sw61-get-response.apdu')))).toBeUndefined();
  });

  it('names an unreadable file', async () => {
    await expect(readTranscriptFile('/nonexistent/x.apdu')).rejects.toThrow(/cannot read transcript \/nonexistent\/x.apdu/);
  });
});
