/**
 * `rescard-terminal read` end to end: virtual cards presented to the real pcscd through vpcd,
 * read by the built CLI over nfc-pcsc. Modelled cards (every profile and fault) and replayed
 * real-card transcripts. Needs pcscd with vpcd (scripts/setup.sh starts it).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_TOKEN_KEYRING_CONFIG, TokenKeyring, maskPan } from '@rescard/shared';
import {
  EMV_FIXTURES_DIR,
  MIR_TEST_PAR,
  ReplayCard,
  buildProfileCard,
  presentCard,
  readTranscriptFile,
  transcriptPan,
  type PresentedCard,
  type VirtualCard,
} from '@rescard/hardware-sim';
import { TERMINAL_BIN, runCli, type CliResult } from './helpers/cli.js';

const VPCD_PORT = 35963;
const keyring = TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG);
let presented: PresentedCard | null = null;

afterEach(async () => {
  await presented?.remove();
  presented = null;
});

async function tap(card: VirtualCard, args: string[] = [], holdMs = 15_000): Promise<CliResult> {
  presented = await presentCard({ card, port: VPCD_PORT, holdMs });
  const result = await runCli(TERMINAL_BIN, ['read', '--timeout-ms', '10000', ...args]);
  await presented.remove();
  presented = null;
  return result;
}

function json(result: CliResult): Record<string, unknown> {
  const lines = result.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

function expectNoPan(result: CliResult, pan: string): void {
  expect(result.stdout).not.toContain(pan);
  expect(result.stderr).not.toContain(pan);
}

describe('rescard-terminal read through pcscd + vpcd', () => {
  for (const [profile, scheme] of [
    ['mir-debit', 'MIR'],
    ['mir-credit', 'MIR'],
    ['visa', 'VISA'],
    ['mastercard', 'MASTERCARD'],
    ['fault-sw61', 'MIR'],
    ['fault-sw6c', 'MIR'],
    ['fault-ppse-6a82', 'MIR'],
  ] as const) {
    it(`${profile}: prints one JSON line with the token and the masked PAN, exit 0`, async () => {
      const { card, pan } = buildProfileCard(profile);
      const result = await tap(card, ['--log-level', 'trace']);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const out = json(result);
      const keys = ['scheme', 'aid', 'label', 'panMasked', 'expiry', 'psn', 'token', 'kid', 'parToken', 'readMs'];
      expect(Object.keys(out)).toEqual(keys.filter((k) => k !== 'parToken' || 'parToken' in out));
      expect(out['scheme']).toBe(scheme);
      expect(out['panMasked']).toBe(maskPan(pan));
      expect(out['token']).toBe(keyring.panToken(pan).token);
      expect(out['kid']).toBe('dev-1');
      expect(out['expiry']).toMatch(/^20\d\d-(0[1-9]|1[0-2])$/);
      expect(typeof out['readMs']).toBe('number');
      expectNoPan(result, pan);
    });
  }

  it('mir-pay: a phone token carries a PAR, so the read has a parToken', async () => {
    const { card, pan } = buildProfileCard('mir-pay');
    const result = await tap(card);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const out = json(result);
    expect(out['parToken']).toBe(keyring.parToken(MIR_TEST_PAR).token);
    expectNoPan(result, pan);
  });

  it('two taps of the same card give the same token', async () => {
    const first = json(await tap(buildProfileCard('mir-debit').card));
    const second = json(await tap(buildProfileCard('mir-debit').card));
    expect(second['token']).toBe(first['token']);
  });

  for (const [profile, code] of [
    ['fault-removed-mid-read', 'CARD_REMOVED'],
    ['fault-malformed-tlv', 'CARD_MALFORMED_RESPONSE'],
    ['fault-silent', 'CARD_TIMEOUT'],
    ['fault-locked-6985', 'CARD_NO_APPLICATION'],
  ] as const) {
    it(`${profile}: clean error ${code}, exit 1, no PAN anywhere`, async () => {
      const { card, pan } = buildProfileCard(profile);
      // A silent card blocks the PC/SC transmit until it leaves the field: hold it 3 s only.
      const result = await tap(card, ['--read-timeout-ms', '1500', '--log-level', 'trace'], 3000);
      expect(result.code).toBe(1);
      expect(json(result)).toMatchObject({ error: { code } });
      expect(result.stderr).toContain(code);
      expectNoPan(result, pan);
    });
  }

  const index = readFileSync(`${EMV_FIXTURES_DIR}/INDEX.md`, 'utf8');
  for (const file of ['mc-debit-aab-de.apdu', 'visa-credit-dkb-de.apdu', 'girocard-volksbank-de.apdu', 'devnied-visa-ppse6700-le6c.apdu', 'mir-synthetic.apdu']) {
    it(`replayed real card ${file}: masked PAN as in the fixture index`, async () => {
      const transcript = await readTranscriptFile(`${EMV_FIXTURES_DIR}/${file}`);
      const pan = transcriptPan(transcript);
      expect(pan, 'fixture PAN').toBeTruthy();
      expect(index).toContain(pan!);
      const result = await tap(new ReplayCard(transcript));
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(json(result)['panMasked']).toBe(maskPan(pan!));
      expectNoPan(result, pan!);
    });
  }

  it('no card within the wait: NO_CARD, exit 1', async () => {
    const result = await runCli(TERMINAL_BIN, ['read', '--timeout-ms', '1500']);
    expect(result.code).toBe(1);
    expect(json(result)).toMatchObject({ error: { code: 'NO_CARD' } });
  });
});
