/**
 * `rescard report NAME --from --to [--format csv|json|ndjson] [--out FILE]`: GET /api/reports/NAME
 * streamed to stdout or a file, chunk by chunk with back-pressure, never held whole in memory.
 * A file is written under a temporary name and renamed when the report is complete: a failed or
 * interrupted download leaves no half report behind. Filters (--school, --carrier, --route,
 * --param k=v) go to the server, which also limits each role to its scope.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CliError, EXIT, usageError } from './cli-error.js';
import { writeOut } from './cli-io.js';
import { withCommon, type CommandContext, type CommonOptions } from './command-context.js';

interface ReportOptions extends CommonOptions {
  readonly from: string;
  readonly to: string;
  readonly format: 'csv' | 'json' | 'ndjson';
  readonly out?: string;
  readonly school?: string;
  readonly carrier?: string;
  readonly route?: string;
  readonly category?: string;
  readonly param: readonly [string, string][];
}

const date = (name: string) => (value: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError(`${name}: a date (YYYY-MM-DD) or an ISO 8601 date-time`);
  return value;
};

function param(value: string, previous: readonly [string, string][]): [string, string][] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('--param: key=value');
  return [...previous, [value.slice(0, eq), value.slice(eq + 1)]];
}

export function registerReport(program: Command, ctx: CommandContext): void {
  withCommon(program.command('report').description('download a report (streamed): reimbursement, compensation, attendance, meals, billing, anomalies'), { tokenFlag: true, json: false })
    .argument('<name>', 'benefit-trips, carrier-trips, carrier-trips/taps, attendance, meals, meal-billing, anomalies (docs/reports.md)')
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD)', date('--from'))
    .requiredOption('--to <date>', 'last day (YYYY-MM-DD)', date('--to'))
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json', 'ndjson']).default('csv'))
    .option('--out <file>', 'write to this file (default: stdout)')
    .option('--school <id>', 'only this school')
    .option('--carrier <id>', 'only this carrier')
    .option('--route <id>', 'only this route')
    .option('--category <name>', 'only this benefit category')
    .option('--param <key=value>', 'another parameter the report takes, e.g. kind=clock (repeatable)', param, [])
    .action(async (name: string, o: ReportOptions) => {
      if (!/^[a-z0-9-]{1,40}(\/[a-z0-9-]{1,40})?$/.test(name)) throw usageError(`report name "${name.slice(0, 64)}": lower-case letters, digits and - (e.g. benefit-trips, carrier-trips/taps)`);
      const { api } = await ctx.connect(o);
      const query: Record<string, string> = { from: o.from, to: o.to, format: o.format };
      if (o.school !== undefined) query['schoolId'] = o.school;
      if (o.carrier !== undefined) query['carrierId'] = o.carrier;
      if (o.route !== undefined) query['routeId'] = o.route;
      if (o.category !== undefined) query['category'] = o.category;
      for (const [k, v] of o.param) query[k] = v;
      const { body } = await api.download(`/api/reports/${name}`, query);
      if (o.out === undefined) {
        try {
          for await (const chunk of body) await writeOut(ctx.io.stdout, chunk);
        } catch (err) {
          throw streamError(err);
        }
        return;
      }
      const tmp = `${o.out}.${randomBytes(4).toString('hex')}.partial`;
      try {
        await pipeline(Readable.from(body), createWriteStream(tmp, { flags: 'wx', mode: 0o640 }));
        await rename(tmp, o.out);
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw streamError(err);
      }
      ctx.warn(`report written to ${o.out}`);
    });
}

function streamError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && (err as NodeJS.ErrnoException).syscall !== undefined) {
    return usageError(`cannot write the report: ${(err as Error).message}`);
  }
  return new CliError('SERVER_UNREACHABLE', `the report stopped before its end: ${err instanceof Error ? err.message : String(err)}`, EXIT.failure);
}
