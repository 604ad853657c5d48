/**
 * The list signing key (Ed25519): made at the server's first start into dataDir/keys, then loaded.
 *
 *   keys/list-signing.key   private key, PKCS#8 PEM, mode 0600 (never logged, never served)
 *   keys/list-signing.pub   public key, SPKI PEM: what devices pin at provisioning
 *   keys/list-signing.kid   the key id written into every manifest and freshness message
 *
 * Each file is written to a temporary name (exclusive create, its final mode from the start),
 * fsynced and renamed, the private key last but one and the kid last: a crash leaves either no
 * key (made again at the next start; nothing was signed with it) or a complete one.
 */
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RescardError, createListSigner, type ListSigner } from '@rescard/shared';
import type { Logger } from 'pino';
import { writeFileAtomic as writeAtomic } from '../keys/write-atomic.js';

export interface ListSigningKey {
  readonly signer: ListSigner;
  readonly kid: string;
  readonly publicKeyPem: string;
}

const FILES = { key: 'list-signing.key', pub: 'list-signing.pub', kid: 'list-signing.kid' } as const;

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

/** Load the list signing key from `dataDir/keys`, making one on first start. */
export async function loadOrCreateListSigningKey(dataDir: string, log: Logger): Promise<ListSigningKey> {
  const dir = join(dataDir, 'keys');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const paths = { key: join(dir, FILES.key), pub: join(dir, FILES.pub), kid: join(dir, FILES.kid) };
  if (!(await exists(paths.kid))) {
    const kid = `list-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await writeAtomic(paths.pub, publicKey.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
    await writeAtomic(paths.key, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
    await writeAtomic(paths.kid, `${kid}\n`, 0o644);
    log.info({ kid, publicKeyPath: paths.pub }, 'list signing key created');
  }
  const mode = (await stat(paths.key)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    await chmod(paths.key, 0o600);
    log.warn({ path: paths.key, mode: mode.toString(8) }, 'list signing key was readable by others; set to 0600');
  }
  const kid = (await readFile(paths.kid, 'utf8')).trim();
  try {
    const signer = createListSigner(kid, await readFile(paths.key, 'utf8'));
    // Derived from the private key, not read back from list-signing.pub: what is exported always matches.
    const publicKeyPem = createPublicKey(signer.privateKey).export({ type: 'spki', format: 'pem' }).toString();
    return { signer, kid, publicKeyPem };
  } catch (err) {
    throw new RescardError('CONFIG_INVALID', `list signing key in ${dir} is unreadable`, { dir }, { cause: err });
  }
}
