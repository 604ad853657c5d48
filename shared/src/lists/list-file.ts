/**
 * Writing a list file (server, scripts, tests): NDJSON, header line then payload lines, each
 * ending in "\n". docs/list-format.md has the format; ListFileReader reads it back.
 *
 * The header carries the payload's SHA-256 and count, but comes first: the payload is streamed
 * to a temporary file beside `path` (hashed and self-checked through the reader's own parser),
 * then the header and the payload are copied into a second temporary file, fsynced, and renamed
 * over `path`. Memory stays constant for any size; a reader never sees a half-written file.
 */
import { randomUUID } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { encodeHeaderLine } from './list-header.js';
import { encodeRecordLine, type ListFileRecord } from './list-record.js';
import { signManifest, type ListSigner } from './manifest-signature.js';
import { LIST_FORMAT, parseManifest, type ListManifest } from './manifest.js';
import { PayloadScanner } from './payload-scanner.js';
import { READ_CHUNK_BYTES } from './list-file-reader.js';

/** The manifest fields the writer does not compute (format, sha256, count; kid comes from the signer). */
export type ListManifestDraft = Omit<ListManifest, 'format' | 'sha256' | 'kid' | 'count'>;

/** Most lines a delta may have: a device holds a delta in memory to apply it in one transaction. */
export const MAX_DELTA_RECORDS = 100_000;
/** The kid written into dev-mode manifests. */
export const DEV_KID = 'dev';
const WRITE_BATCH_CHARS = 256 * 1024;
const ZERO_SHA256 = '0'.repeat(64);

/**
 * Write `records` as a list file at `path`, signed by `signer` or marked dev-mode ('dev' allows
 * "pan"/"par" card references). A snapshot (baseVersion null) takes puts only. Returns the manifest.
 */
export async function writeListFile(
  path: string,
  draft: ListManifestDraft,
  records: Iterable<ListFileRecord> | AsyncIterable<ListFileRecord>,
  signer: ListSigner | 'dev',
): Promise<ListManifest> {
  const kid = signer === 'dev' ? DEV_KID : signer.kid;
  parseManifest({ ...draft, format: LIST_FORMAT, sha256: ZERO_SHA256, kid, count: 0 }); // fail before writing
  const kind = draft.baseVersion === null ? 'snapshot' : 'delta';
  const scanner = new PayloadScanner({
    kind, dev: signer === 'dev', parse: true, ...(kind === 'delta' ? { maxCount: MAX_DELTA_RECORDS } : {}),
  });
  const stem = `${path}.${process.pid}.${randomUUID()}`;
  const payloadPath = `${stem}.payload`;
  const outPath = `${stem}.tmp`;
  try {
    const payload = await open(payloadPath, 'wx');
    try {
      let batch: string[] = [];
      let batchChars = 0;
      const flush = async (): Promise<void> => {
        const bytes = Buffer.from(batch.join(''), 'utf8');
        batch = [];
        batchChars = 0;
        scanner.feed(bytes); // parses every line with the reader's rules: never write what a device refuses
        await writeAll(payload, bytes);
      };
      for await (const record of records) {
        const line = `${encodeRecordLine(record, kind)}\n`;
        batch.push(line);
        batchChars += line.length;
        if (batchChars >= WRITE_BATCH_CHARS) await flush();
      }
      await flush();
    } finally {
      await payload.close();
    }
    const digest = scanner.finish();
    const manifest = parseManifest({ ...draft, format: LIST_FORMAT, sha256: digest.sha256, kid, count: digest.count });
    const header = encodeHeaderLine(manifest, signer === 'dev' ? 'dev' : signManifest(manifest, signer));
    const out = await open(outPath, 'wx');
    try {
      await writeAll(out, Buffer.from(`${header}\n`, 'utf8'));
      await copyInto(payloadPath, out);
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(outPath, path);
    return manifest;
  } finally {
    await rm(payloadPath, { force: true });
    await rm(outPath, { force: true });
  }
}

async function copyInto(fromPath: string, to: FileHandle): Promise<void> {
  const from = await open(fromPath, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await from.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      await writeAll(to, buf.subarray(0, bytesRead));
    }
  } finally {
    await from.close();
  }
}

async function writeAll(to: FileHandle, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) offset += (await to.write(bytes, offset, bytes.length - offset)).bytesWritten;
}
