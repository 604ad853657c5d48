/**
 * First start: with no account in auth.db, make `admin` (role admin) with a random password and
 * an API token, and write both to dataDir/auth/bootstrap.json (mode 0600) for the operator, the
 * demo and the end-to-end tests. Only the file's path is logged, never a secret. Delete the file
 * once the password is changed and the token stored elsewhere; it is never written again.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { writeFileAtomic } from '../keys/write-atomic.js';
import { countAccounts, createAccount } from './accounts.js';
import type { AuthDb } from './auth-db.js';
import { appendAudit } from './audit-log.js';
import { issueApiToken } from './credentials.js';
import type { ScryptCost } from './password.js';

export const BOOTSTRAP_FILE = 'bootstrap.json';

export interface BootstrapSecrets {
  readonly username: string;
  readonly password: string;
  readonly token: string;
}

/** Returns the file written, or null when accounts exist already. */
export async function bootstrapAdmin(db: AuthDb, authDir: string, nowMs: number, log: Logger, cost?: ScryptCost): Promise<string | null> {
  if (countAccounts(db) > 0) return null;
  const { account, generatedPassword } = await createAccount(db, { username: 'admin', role: 'admin', nowMs, ...(cost ? { cost } : {}) });
  const issued = issueApiToken(db, { accountId: account.id, name: 'bootstrap', nowMs, expiresAtMs: null });
  const secrets: BootstrapSecrets = { username: account.username, password: generatedPassword ?? '', token: issued.token };
  const path = join(authDir, BOOTSTRAP_FILE);
  try {
    await writeFileAtomic(path, `${JSON.stringify(secrets, null, 2)}\n`, 0o600);
  } catch (err) {
    // No file, no way in: take the account back so the next start bootstraps again.
    db.transaction(() => {
      db.prepare('DELETE FROM credential WHERE account_id = ?').run(account.id);
      db.prepare('DELETE FROM account WHERE id = ?').run(account.id);
    })();
    throw err;
  }
  appendAudit(db, { atMs: nowMs, event: 'bootstrap', actor: null, target: { accountId: account.id, username: account.username, tokenId: issued.id } });
  log.warn({ path }, 'first start: admin account and API token created; the password and token are in this file (mode 0600): store them and delete it');
  return path;
}
