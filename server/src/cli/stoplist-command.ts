/**
 * `rescard stoplist add|remove|why|propagation` (server/src/app/registry-plugin.ts):
 *
 *   add          POST   /api/stoplist          { pan | par | token(+kid), reason, expiresAt?, note? }
 *   remove       DELETE /api/stoplist          { pan | par | token(+kid), note? }
 *   why          POST   /api/cards/why         { pan | par | token(+kid), tapLimit }
 *   propagation  GET    /api/stoplist/propagation?version=N   (--watch: until no device is behind)
 *
 * The card goes in the body only (never in a URL). --token here names the card; the API token is
 * --api-token (or RESCARD_TOKEN, or the saved login).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { STOP_REASONS } from '../registry/stop-store.js';
import { cardRef, withCardOptions, type CardOptions } from './card-options.js';
import { withCommon, type CommandContext, type CommonOptions } from './command-context.js';
import { expiryOf, localOffsetMinutes } from './expiry-date.js';
import { formatPropagation, formatStopChange, formatWhy, propagationDone, type PropagationReply, type StopChangeView, type WhyReply } from './format-stoplist.js';

type CardCommandOptions = CommonOptions & CardOptions;

const positiveInt = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
  return n;
};

function reasonCode(value: string): string {
  const code = value.toUpperCase();
  if (!(STOP_REASONS as readonly string[]).includes(code)) throw new InvalidArgumentError(`one of ${STOP_REASONS.join(', ')}`);
  return code;
}

function cardCommand(parent: Command, name: string, description: string): Command {
  return withCardOptions(withCommon(parent.command(name).description(description), { tokenFlag: false }));
}

export function registerStoplist(program: Command, ctx: CommandContext): void {
  const stoplist = program.command('stoplist').description('block and unblock cards, follow a change to the devices, ask why a card was denied');

  cardCommand(stoplist, 'add', 'put a card on the stop-list (a new signed list version)')
    .addOption(new Option('--reason <code>', `why: ${STOP_REASONS.join(', ')}`).argParser(reasonCode).makeOptionMandatory())
    .option('--expires <date>', 'leave the list from this date (YYYY-MM-DD, local) or date-time (ISO 8601)')
    .option('--note <text>', 'free text for the audit trail (no card numbers)')
    .action(async (o: CardCommandOptions & { reason: string; expires?: string; note?: string }) => {
      const expiresAt = o.expires === undefined ? undefined : expiryOf(o.expires, localOffsetMinutes);
      const card = await cardRef(o, ctx.io.stdin);
      const { api } = await ctx.connect(o, false);
      const change = await api.json<StopChangeView>('POST', '/api/stoplist', {
        body: { ...card, reason: o.reason, ...(expiresAt === undefined ? {} : { expiresAt }), ...(o.note === undefined ? {} : { note: o.note }) },
      });
      ctx.result(o, change, () => formatStopChange('added', change));
    });

  cardCommand(stoplist, 'remove', 'take a card off the stop-list (a new signed list version)')
    .option('--note <text>', 'free text for the audit trail (no card numbers)')
    .action(async (o: CardCommandOptions & { note?: string }) => {
      const card = await cardRef(o, ctx.io.stdin);
      const { api } = await ctx.connect(o, false);
      const change = await api.json<StopChangeView>('DELETE', '/api/stoplist', { body: { ...card, ...(o.note === undefined ? {} : { note: o.note }) } });
      ctx.result(o, change, () => formatStopChange('removed', change));
    });

  cardCommand(stoplist, 'why', 'why was this card denied: its list entries, stop-list record and last taps')
    .option('--taps <n>', 'how many recent taps (1-500)', positiveInt('--taps'), 20)
    .action(async (o: CardCommandOptions & { taps: number }) => {
      const card = await cardRef(o, ctx.io.stdin);
      const { api } = await ctx.connect(o, false);
      const why = await api.json<WhyReply>('POST', '/api/cards/why', { body: { ...card, tapLimit: o.taps } });
      ctx.result(o, why, () => formatWhy(why));
    });

  withCommon(stoplist.command('propagation').description('which devices hold a stop-list version, which are behind'))
    .requiredOption('--version <n>', 'the stop-list version (from stoplist add/remove)', positiveInt('--version'))
    .option('--watch', 'refresh until every reporting device holds the version (or Ctrl-C)')
    .action(async (o: CommonOptions & { version: number; watch?: boolean }) => {
      const { api } = await ctx.connect(o);
      const { io } = ctx;
      for (;;) {
        const view = await api.json<PropagationReply>('GET', '/api/stoplist/propagation', { query: { version: o.version } });
        ctx.result(o, view, () => (o.watch === true ? `[${new Date(io.nowMs()).toISOString().slice(11, 19)}] ` : '') + formatPropagation(view, io.nowMs()));
        if (o.watch !== true || propagationDone(view)) return;
        await sleep(io.timings.watchMs, io.signal);
      }
    });
}

/** Resolves after `ms`, or at once when the signal aborts (Ctrl-C: the next request is refused). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
