/**
 * Application File Locator (tag 94, or bytes 3.. of a format-1 GPO response): EMV Book 3 §10.2.
 *
 * Each 4-byte entry: byte 1 = SFI in b8..b4 (b3..b1 are zero by the spec; not enforced, since
 * nothing depends on them), byte 2 = first record, byte 3 = last record, byte 4 = how many of
 * those records, from the first, take part in offline data authentication. The terminal does no
 * ODA, so `odaCount` is reported as-is and not checked against the range.
 * An empty AFL parses to []: whether a card may have no records is the caller's decision.
 */
import { RescardError } from '../errors.js';

export interface AflEntry {
  /** Short file identifier, 1..30. */
  readonly sfi: number;
  readonly firstRecord: number;
  readonly lastRecord: number;
  readonly odaCount: number;
}

export interface RecordRef {
  readonly sfi: number;
  readonly record: number;
}

function aflMalformed(reason: string, details: Record<string, unknown>): RescardError {
  return new RescardError('AFL_MALFORMED', `malformed AFL: ${reason}`, details);
}

export function parseAfl(bytes: Uint8Array): AflEntry[] {
  if (bytes.length % 4 !== 0) {
    throw aflMalformed(`length ${bytes.length} is not a multiple of 4`, { sizeBytes: bytes.length });
  }
  const out: AflEntry[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const entry = i / 4;
    const sfi = bytes[i]! >> 3;
    const firstRecord = bytes[i + 1]!;
    const lastRecord = bytes[i + 2]!;
    const odaCount = bytes[i + 3]!;
    if (sfi < 1 || sfi > 30) throw aflMalformed(`entry ${entry}: SFI ${sfi} is not 1..30`, { entry, sfi });
    if (firstRecord < 1) throw aflMalformed(`entry ${entry}: first record is 0`, { entry, sfi });
    if (lastRecord < firstRecord) {
      throw aflMalformed(`entry ${entry}: last record ${lastRecord} is before first record ${firstRecord}`, {
        entry,
        sfi,
      });
    }
    out.push({ sfi, firstRecord, lastRecord, odaCount });
  }
  return out;
}

/** Every record to READ, in AFL order, each once (a record listed twice is read once). */
export function recordsOf(afl: readonly AflEntry[]): RecordRef[] {
  const seen = new Set<number>();
  const out: RecordRef[] = [];
  for (const { sfi, firstRecord, lastRecord } of afl) {
    for (let record = firstRecord; record <= lastRecord; record += 1) {
      const key = sfi * 256 + record;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ sfi, record });
    }
  }
  return out;
}

/** P2 of READ RECORD for an SFI: SFI in b8..b4, b3..b1 = 100 ("P1 is a record number"). */
export function readRecordP2(sfi: number): number {
  return ((sfi << 3) | 0x04) & 0xff;
}
