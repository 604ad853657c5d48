/**
 * Crash-test harness (test support, not shipped behaviour): a bus terminal wired as `start`
 * wires it, on the real SQLite device store, tapping modelled cards as fast as it can. After
 * each tap's feedback it writes `SHOWN <seq>` to stdout with a synchronous write, so a parent
 * that kills this process with SIGKILL knows exactly which taps a passenger saw.
 *
 *   node terminal/dist/testing/tap-burst.js <dataDir> <taps>
 */
import { writeSync } from 'node:fs';
import { buildProfileCard } from '@rescard/hardware-sim';
import busConfig from '../../examples/bus.json' with { type: 'json' };
import { SystemClock } from '../adapters/system/system-clock.js';
import type { Feedback } from '../ports/feedback.js';
import { startDeviceFixture } from './device-fixture.js';

/** A Luhn-valid test Mir PAN for index i. */
export function testPan(i: number): string {
  const body = `2200${String(i).padStart(11, '0')}`;
  let sum = 0;
  for (let k = 0; k < body.length; k += 1) {
    let d = Number(body[body.length - 1 - k]);
    if (k % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

async function main(): Promise<void> {
  const [dataDir, tapsArg] = process.argv.slice(2);
  if (!dataDir) throw new Error('usage: tap-burst <dataDir> <taps>');
  const taps = Number(tapsArg ?? 1000);
  const shown = (line: string): void => void writeSync(1, `${line}\n`);
  const feedback: Feedback = {
    tap: (f) => Promise.resolve(shown(`SHOWN ${f.seq} ${f.outcome}`)),
    fault: (f) => Promise.resolve(shown(`FAULT ${f.code}`)),
    passage: (f) => Promise.resolve(shown(`PASSAGE ${f.seq} ${f.passed}`)),
    status: () => Promise.resolve(),
  };
  const f = await startDeviceFixture({ rawConfig: busConfig, dataDir, clock: new SystemClock(), feedback });
  if (f.lists.meta().length === 0) {
    const now = Date.now();
    const meta = { version: 1, issuedAtMs: now, expiresAtMs: now + 86_400_000, count: 0 };
    f.lists.replaceList({ ...meta, list: 'stoplist' }, []);
    f.lists.replaceList(
      { ...meta, list: 'benefit' },
      Array.from({ length: 64 }, (_, i) => ({
        list: 'benefit' as const,
        token: f.keyring.panToken(testPan(i)).token,
        category: 'student',
        validFrom: null,
        validTo: null,
        attrs: {},
      })),
    );
  }
  shown(`READY ${f.journal.stats().nextSeq}`);
  for (let i = 0; i < taps; i += 1) {
    await f.reader.present(buildProfileCard('mir-debit', { pan: testPan(i % 128) }).card);
  }
  await f.close();
  shown('DONE');
}

main().catch((err: unknown) => {
  process.stderr.write(`tap-burst: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
