/**
 * The regional card-token keyring on the server (ADR 0001): what turns a PAN from an import or a
 * stop-list request into the token devices compute at the tap, and what enrolment hands to a
 * device over its authenticated channel.
 *
 *   keys/token-keys.json   { primaryKid, keys: [{ kid, keyHex }] }, mode 0600, never logged
 *
 * Made at the first start: a random 32-byte key (`mode: 'random'`), or the public DEVELOPMENT key
 * (`mode: 'development'`, for the demo and tests whose terminals carry that key). A keyring that
 * exists is always loaded as it is; the mode only matters when there is none.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_TOKEN_KEYRING_CONFIG, RescardError, TokenKeyring, type TokenKeyringConfig } from '@rescard/shared';
import type { Logger } from 'pino';
import { writeFileAtomic } from './write-atomic.js';

export interface ServerTokenKeys {
  readonly keyring: TokenKeyring;
  /** The key material itself: only for enrolment responses over an authenticated channel. */
  readonly config: TokenKeyringConfig;
  readonly path: string;
}

export type TokenKeysMode = 'random' | 'development';

const FILE = 'token-keys.json';

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

export async function loadOrCreateTokenKeys(dataDir: string, mode: TokenKeysMode, log: Logger): Promise<ServerTokenKeys> {
  const dir = join(dataDir, 'keys');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, FILE);
  if (!(await exists(path))) {
    const kid = `reg-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
    const config: TokenKeyringConfig =
      mode === 'development' ? DEV_TOKEN_KEYRING_CONFIG : { primaryKid: kid, keys: [{ kid, keyHex: randomBytes(32).toString('hex') }] };
    await writeFileAtomic(path, `${JSON.stringify(config)}\n`, 0o600);
    log.info({ kid: config.primaryKid, mode, path }, 'card-token keyring created');
  }
  const fileMode = (await stat(path)).mode & 0o777;
  if ((fileMode & 0o077) !== 0) {
    await chmod(path, 0o600);
    log.warn({ path, mode: fileMode.toString(8) }, 'card-token keyring was readable by others; set to 0600');
  }
  let config: TokenKeyringConfig;
  try {
    config = JSON.parse(await readFile(path, 'utf8')) as TokenKeyringConfig;
  } catch (err) {
    throw new RescardError('TOKEN_KEY_INVALID', `card-token keyring ${path} is not JSON`, { path }, { cause: err });
  }
  const keyring = TokenKeyring.fromConfig(config);
  if (keyring.usesDevelopmentKey) log.warn({ path }, 'the card-token keyring is the public DEVELOPMENT key: tokens protect nothing');
  return { keyring, config, path };
}
