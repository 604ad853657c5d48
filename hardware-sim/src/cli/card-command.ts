/**
 * `rescard-sim card`: resolve the card (profile or transcript), present it for N taps through
 * vpcd and print one line per tap. Option errors are CONFIG_INVALID (main.ts exits 2 on them).
 */
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { RescardError } from '@rescard/shared';
import { buildProfileCard, PROFILES } from '../cards/profiles.js';
import { ReplayCard } from '../cards/replay-card.js';
import type { VirtualCard } from '../cards/virtual-card.js';
import { luhnValid, maskPan } from '../pan.js';
import { transcriptPan } from '../transcript/transcript-pan.js';
import { readTranscriptFile } from '../transcript/transcript.js';
import { presentCard, type PresentedCard } from '../vpcd/vpcd-client.js';

export interface CardCommandOptions {
  readonly replay?: string;
  readonly profile?: string;
  readonly pan?: string;
  readonly holdMs: number;
  readonly taps: number;
  readonly gapMs: number;
  readonly host: string;
  readonly port: number;
}

export interface CliIo {
  readonly out: (line: string) => void;
  readonly logger: Logger;
  /** Set by main.ts on SIGINT: stop after the current tap. */
  readonly aborted: () => boolean;
  readonly onPresented: (card: PresentedCard | undefined) => void;
}

interface ResolvedCard {
  readonly card: VirtualCard;
  readonly label: string;
  readonly pan: string | undefined;
}

export function listProfiles(out: (line: string) => void): void {
  for (const definition of PROFILES.values()) {
    out(`${definition.name.padEnd(24)} ${maskPan(definition.emv.pan)}  ${definition.description}`);
  }
}

async function resolveCard(options: CardCommandOptions, out: (line: string) => void): Promise<ResolvedCard> {
  if ((options.replay === undefined) === (options.profile === undefined)) {
    throw new RescardError('CONFIG_INVALID', 'give exactly one of --replay FILE or --profile NAME (see --list-profiles)');
  }
  if (options.replay !== undefined) {
    if (options.pan !== undefined) throw new RescardError('CONFIG_INVALID', '--pan applies to --profile only');
    const transcript = await readTranscriptFile(options.replay);
    return { card: new ReplayCard(transcript), label: `replay ${basename(options.replay)}`, pan: transcriptPan(transcript) };
  }
  const built = buildProfileCard(options.profile ?? '', options.pan === undefined ? {} : { pan: options.pan });
  if (!luhnValid(built.pan)) out(`warning: PAN ${maskPan(built.pan)} fails the Luhn check`);
  return { card: built.card, label: `profile ${built.definition.name}`, pan: built.pan };
}

export async function runCardCommand(options: CardCommandOptions, io: CliIo): Promise<void> {
  const { card, label, pan } = await resolveCard(options, io.out);
  const masked = pan === undefined ? 'PAN unknown' : `PAN ${maskPan(pan)}`;
  for (let tap = 1; tap <= options.taps && !io.aborted(); tap += 1) {
    const started = Date.now();
    const presented = await presentCard({
      card,
      host: options.host,
      port: options.port,
      holdMs: options.holdMs,
      logger: io.logger.child({ tap }),
    });
    io.onPresented(presented);
    await presented.removed;
    io.onPresented(undefined);
    const error = presented.error ? ` (${presented.error.message})` : '';
    io.out(
      `tap ${tap}/${options.taps}: ${label}, ${masked}, ${presented.apduCount} APDUs, ended: ${presented.reason ?? 'unknown'}${error} after ${Date.now() - started} ms`,
    );
    if (tap < options.taps && !io.aborted()) await new Promise((resolve) => setTimeout(resolve, options.gapMs));
  }
}
