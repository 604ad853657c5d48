/**
 * npm run demo: everything that works, on the embedded default with virtual hardware.
 * Each part prints what its user would see. Logs (pino) go to stderr at warn unless
 * RESCARD_LOG_LEVEL says otherwise.
 */
import { DEV_TOKEN_KEYRING_CONFIG, TokenKeyring } from '@rescard/shared';
import { pino } from 'pino';
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
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('demo failed:', err);
    process.exit(1);
  },
);
