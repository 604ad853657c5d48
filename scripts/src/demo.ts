/**
 * npm run demo: everything that works, on the embedded default with virtual hardware.
 * Each part prints what its user would see. Logs (pino) go to stderr at warn unless
 * RESCARD_LOG_LEVEL says otherwise.
 */
import { DEV_TOKEN_KEYRING_CONFIG, TokenKeyring } from '@rescard/shared';
import { pino } from 'pino';
import { runDayWalk } from './day-walk.js';
import { demoReads } from './demo-reads.js';
import { demoSync } from './demo-sync.js';
import { demoTerminals } from './demo-terminals.js';

const VPCD_PORT = Number(process.env['RESCARD_VPCD_PORT'] ?? 35963);

async function main(): Promise<void> {
  const log = pino({ level: process.env['RESCARD_LOG_LEVEL'] ?? 'warn' }, pino.destination(2));
  const keyring = TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG);
  console.log('rescard demo — development token key (kid dev-1), virtual cards on vpcd port', VPCD_PORT);
  await demoReads(keyring, log, VPCD_PORT);
  await demoTerminals(VPCD_PORT);
  await demoSync(VPCD_PORT);
  console.log('\n== 4. A day: a technician enrols three devices, an operator imports, stop-lists and reports (docs/day-walk.md) ==');
  const day = await runDayWalk({ vpcdPort: VPCD_PORT, say: (line) => console.log(`  ${line}`) });
  const f = day.figures;
  console.log(`  the month: pensioner ${f.pensionerRides ?? '?'} rides; student ${f.studentAttendance ?? '?'} (${f.studentClass ?? '?'}), ${f.studentMeals ?? '?'} meal(s); data in ${day.dir}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('demo failed:', err);
    process.exit(1);
  },
);
