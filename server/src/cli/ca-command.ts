/**
 * `rescard ca init --data DIR`: makes the project CA in the server's data folder (ca/ca.key 0600,
 * ca/ca.crt), locally, not over the API: run it on the server machine before the first start.
 * Refuses to replace an existing CA (a new CA orphans every enrolled device).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { isRescardError } from '@rescard/shared';
import { CliError, EXIT } from './cli-error.js';
import type { CommandContext } from './command-context.js';

interface CaInitOptions {
  readonly data: string;
  readonly commonName?: string;
  readonly days?: number;
  readonly json?: boolean;
}

export function registerCa(program: Command, ctx: CommandContext): void {
  const ca = program.command('ca').description('the project certificate authority (local, on the server machine)');
  ca.command('init')
    .description('create the project CA in the server data folder')
    .requiredOption('--data <dir>', 'the server data folder (as rescard-server start --data)')
    .option('--common-name <cn>', 'CA name (default "rescard project CA")')
    .option('--days <n>', 'lifetime in days (default 3650)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 30 || n > 36_500) throw new InvalidArgumentError('30-36500');
      return n;
    })
    .option('--json', 'machine output')
    .action(async (o: CaInitOptions) => {
      const { createCa } = await import('../pki/ca.js'); // node-forge loads only for this command
      let made;
      try {
        made = await createCa(resolve(o.data), {
          ...(o.commonName === undefined ? {} : { commonName: o.commonName }),
          ...(o.days === undefined ? {} : { lifetimeDays: o.days }),
        });
      } catch (err) {
        if (isRescardError(err)) throw new CliError(err.code, err.message, EXIT.failure);
        throw new CliError('CA_UNAVAILABLE', `cannot create the CA in ${o.data}: ${err instanceof Error ? err.message : String(err)}`, EXIT.failure);
      }
      const x509 = new X509Certificate(made.certPem);
      const sha256 = createHash('sha256').update(x509.raw).digest('hex').match(/../g)?.join(':').toUpperCase() ?? '';
      const out = { certificate: made.paths.cert, key: made.paths.key, subject: x509.subject.replace(/\n/g, ', '), notAfter: new Date(x509.validTo).toISOString(), sha256 };
      if (o.json === true) ctx.json(out);
      else ctx.out(`project CA created\n  certificate  ${out.certificate}\n  key          ${out.key} (mode 0600: back it up offline)\n  subject      ${out.subject}\n  valid until  ${out.notAfter}\n  SHA-256      ${sha256}\n`);
    });
}
