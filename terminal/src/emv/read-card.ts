/**
 * The EMV contactless read: PPSE → choose application → SELECT → GET PROCESSING OPTIONS (PDOL
 * filled) → READ RECORD per AFL → CardData. EMV Book 3 §10 (initiate application processing,
 * read application data); Book C-2/C-3 kernels read the same objects.
 *
 * The PAN comes from 5A, else from track 2 equivalent data (57); expiry from 5F24, else from
 * 57. Luhn failure is not a reject (the data is what the card says); callers may flag it.
 */
import {
  RescardError,
  buildDol,
  cardScheme,
  contactlessTerminalData,
  decodeTlv,
  expiryFrom5F24,
  findTag,
  panFromBcd,
  parseAfl,
  parseDol,
  parseTrack2,
  type Tlv,
} from '@rescard/shared';
import type { Logger } from 'pino';
import { PPSE_NAME, SW_OK, getProcessingOptions, readRecord, selectAid, selectByName, splitResponse, swHex } from '../protocol/apdu.js';
import type { CardData } from './card-data.js';
import { redactResponse } from './redact.js';
import { KNOWN_AIDS, orderCandidates, parseAidFci, parsePpse, type Candidate, type SelectedApplication } from './select-application.js';
import type { Transmit } from './transport.js';

export interface ReadOptions {
  /** Terminal date for 9A. */
  readonly now: Date;
  /** 4 random bytes for 9F37. */
  readonly unpredictable: Buffer;
  readonly log?: Logger;
}

/** SWs after which the next candidate application is tried (EMV Book 1 §12.4). */
const TRY_NEXT = new Set([0x6985, 0x6a81, 0x6a82, 0x6283, 0x6a83, 0x6d00, 0x6e00]);

export async function readCard(transmitRaw: Transmit, options: ReadOptions): Promise<CardData> {
  const transmit: Transmit = async (command) => {
    options.log?.trace({ apdu: command.toString('hex') }, 'C-APDU');
    const response = await transmitRaw(command);
    options.log?.trace({ apdu: redactResponse(response) }, 'R-APDU');
    return response;
  };
  const candidates = await discover(transmit);
  for (const candidate of candidates) {
    const selected = await select(transmit, candidate);
    if (!selected) continue;
    const gpo = await processingOptions(transmit, selected, options);
    if (!gpo) continue;
    const objects: Tlv[] = [...gpo.objects];
    for (const { sfi, record } of gpo.records) {
      const response = splitOrThrow(await transmit(readRecord(sfi, record)));
      if (response.sw !== SW_OK) {
        // Records after the one with the PAN may be unreadable on some cards (or withheld
        // contactlessly); what a token needs is there, so stop rather than fail the tap.
        if (hasPanAndExpiry(objects)) {
          options.log?.debug({ sfi, record, sw: swHex(response.sw) }, 'record unreadable after the PAN; read stops');
          break;
        }
        throw statusError('READ RECORD', response.sw);
      }
      objects.push(...tlv(response.data, 'READ RECORD'));
    }
    return extract(objects, selected);
  }
  throw new RescardError('CARD_NO_APPLICATION', 'the card offers no application this terminal accepts', {
    tried: candidates.map((c) => c.aid),
  });
}

async function discover(transmit: Transmit): Promise<Candidate[]> {
  const response = splitOrThrow(await transmit(selectByName(PPSE_NAME)));
  if (response.sw === SW_OK) {
    try {
      const listed = parsePpse(response.data);
      if (listed.length > 0) return orderCandidates(listed);
    } catch {
      // A broken PPSE is treated as absent: the known-AID list still finds the application.
    }
  }
  return KNOWN_AIDS.map((aid) => ({ aid, label: null, priority: null }));
}

async function select(transmit: Transmit, candidate: Candidate): Promise<SelectedApplication | null> {
  const response = splitOrThrow(await transmit(selectAid(candidate.aid)));
  if (response.sw !== SW_OK) {
    if (TRY_NEXT.has(response.sw)) return null;
    throw statusError('SELECT', response.sw);
  }
  let selected: SelectedApplication;
  try {
    selected = parseAidFci(response.data, candidate.aid);
  } catch (err) {
    throw malformed('SELECT', (err as Error).message, err);
  }
  return { ...selected, label: selected.label ?? candidate.label };
}

interface Gpo {
  readonly objects: Tlv[];
  readonly records: { sfi: number; record: number }[];
}

async function processingOptions(transmit: Transmit, app: SelectedApplication, options: ReadOptions): Promise<Gpo | null> {
  const values = contactlessTerminalData({ now: options.now, unpredictable: options.unpredictable });
  const pdolData = app.pdol ? buildDol(parseDol(app.pdol), values) : Buffer.alloc(0);
  const response = splitOrThrow(await transmit(getProcessingOptions(pdolData)));
  if (response.sw === 0x6985) return null; // conditions not satisfied: next application
  if (response.sw !== SW_OK) throw statusError('GET PROCESSING OPTIONS', response.sw);
  const objects = tlv(response.data, 'GET PROCESSING OPTIONS');
  const format1 = findTag(objects, '80');
  let afl: Buffer;
  if (format1) {
    if (format1.value.length < 2) throw malformed('GET PROCESSING OPTIONS', 'format 1 shorter than the AIP');
    afl = format1.value.subarray(2);
  } else {
    afl = findTag(objects, '94')?.value ?? Buffer.alloc(0);
  }
  const records = parseAfl(afl).flatMap((e) => {
    const list: { sfi: number; record: number }[] = [];
    for (let r = e.firstRecord; r <= e.lastRecord; r += 1) list.push({ sfi: e.sfi, record: r });
    return list;
  });
  return { objects: format1 ? [] : objects, records };
}

function extract(objects: readonly Tlv[], app: SelectedApplication): CardData {
  try {
    return extractFields(objects, app);
  } catch (err) {
    if (err instanceof RescardError && err.code === 'CARD_MALFORMED_RESPONSE') throw err;
    throw malformed('READ RECORD', (err as Error).message, err);
  }
}

function extractFields(objects: readonly Tlv[], app: SelectedApplication): CardData {
  const tag5a = findTag(objects, '5A');
  const tag57 = findTag(objects, '57');
  const track2 = tag57 ? parseTrack2(tag57.value) : null;
  const pan = tag5a ? panFromBcd(tag5a.value) : track2?.pan;
  if (!pan) throw malformed('READ RECORD', 'the card gave no PAN (neither 5A nor 57)');
  const tag5f24 = findTag(objects, '5F24');
  const expiry = tag5f24 ? expiryFrom5F24(tag5f24.value) : track2 ? `20${track2.expiryYymm.slice(0, 2)}-${track2.expiryYymm.slice(2, 4)}` : null;
  if (!expiry) throw malformed('READ RECORD', 'the card gave no expiry date (neither 5F24 nor 57)');
  const psn = findTag(objects, '5F34');
  const par = findTag(objects, '9F24');
  return {
    pan,
    expiry,
    psn: psn && psn.value.length === 1 ? psn.value.toString('hex') : null,
    par: par ? par.value.toString('latin1').trim() || null : null,
    scheme: cardScheme(app.aid, pan),
    aid: app.aid,
    label: app.label,
  };
}

function hasPanAndExpiry(objects: readonly Tlv[]): boolean {
  return findTag(objects, '57') !== undefined || (findTag(objects, '5A') !== undefined && findTag(objects, '5F24') !== undefined);
}

function splitOrThrow(raw: Buffer): { data: Buffer; sw: number } {
  const response = splitResponse(raw);
  if (!response) throw malformed('response', 'shorter than a status word');
  return response;
}

function tlv(data: Buffer, step: string): Tlv[] {
  try {
    return decodeTlv(data);
  } catch (err) {
    throw malformed(step, (err as Error).message, err);
  }
}

function statusError(step: string, sw: number): RescardError {
  return new RescardError('CARD_STATUS', `${step} answered ${swHex(sw)}`, { step, sw: swHex(sw) });
}

function malformed(step: string, reason: string, cause?: unknown): RescardError {
  return new RescardError('CARD_MALFORMED_RESPONSE', `${step}: ${reason}`, { step }, { cause });
}
