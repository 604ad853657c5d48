/**
 * `rescard import holders|roster|canteen FILE`: uploads the CSV as a stream
 * (POST /api/imports/:kind?importId=…, Content-Type text/csv) and, while the server works,
 * polls GET /api/imports/:id for its progress; both show on stderr for jobs longer than a moment.
 * Prints the result (rows, list versions) or, for a rejected file, the line-numbered errors
 * (IMPORT_INVALID, exit 1; nothing was applied). docs/imports.md has the CSV columns.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Argument, type Command } from 'commander';
import { CliError, usageError } from './cli-error.js';
import { withCommon, type CommandContext, type CommonOptions } from './command-context.js';
import { formatImportProgress, formatImportResult, type ImportProgressView, type ImportRecordView } from './format-import.js';
import { ProgressLine } from './progress-line.js';

export const IMPORT_KINDS = ['holders', 'roster', 'canteen'] as const;

interface ImportOptions extends CommonOptions {
  readonly importId?: string;
  readonly school?: string;
  readonly quiet?: boolean;
}

async function fileSize(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw usageError(`${path} is not a file`);
    return s.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw usageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function registerImport(program: Command, ctx: CommandContext): void {
  withCommon(program.command('import').description('upload a CSV registry: benefit holders, a school roster or canteen entitlements'))
    .addArgument(new Argument('<kind>', 'what the file holds').choices(IMPORT_KINDS))
    .argument('<file>', 'CSV file (UTF-8, ; or , separated, Russian or English headers)')
    .option('--import-id <id>', 'name the import (8-64 of A-Z a-z 0-9 _ -); default: a new random id')
    .option('--school <id>', 'a school-limited import (what a school account may upload): every row must name this school')
    .option('--quiet', 'no progress on stderr')
    .action(async (kind: string, file: string, o: ImportOptions) => {
      if (o.importId !== undefined && !/^[A-Za-z0-9_-]{8,64}$/.test(o.importId)) throw usageError('--import-id: 8-64 of A-Z a-z 0-9 _ -');
      if (o.school !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(o.school)) throw usageError('--school: 1-64 of A-Z a-z 0-9 . _ -');
      const sizeBytes = await fileSize(file);
      const { api } = await ctx.connect(o);
      const id = o.importId ?? `cli-${randomUUID()}`;
      const { io } = ctx;
      const progress = new ProgressLine(io.stderr, io.stderrIsTTY, io.nowMs(), o.quiet === true ? Number.POSITIVE_INFINITY : io.timings.progressDelayMs);
      let sent = 0;
      let server: ImportProgressView | null = null;
      const draw = (): void => progress.update(formatImportProgress(sent, sizeBytes, server), io.nowMs());

      const upload = api.upload<ImportRecordView>(`/api/imports/${kind}`, { importId: id, ...(o.school === undefined ? {} : { school: o.school }) }, createReadStream(file), {
        contentType: 'text/csv; charset=utf-8',
        sizeBytes,
        onBytes: (n) => {
          sent = n;
        },
      });
      let finished = false;
      let wake = (): void => undefined;
      const poll = (async (): Promise<void> => {
        while (!finished) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, io.timings.pollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          if (finished) return;
          try {
            const rec = await api.json<ImportRecordView>('GET', `/api/imports/${encodeURIComponent(id)}`);
            if (rec.progress !== undefined) server = rec.progress;
          } catch {
            // Not there yet (404 before the upload reaches the server) or a slow poll: the upload's
            // own answer decides the outcome; progress is only a view of it.
          }
          draw();
        }
      })();
      let record: ImportRecordView;
      try {
        record = await upload;
      } finally {
        finished = true;
        wake();
        await poll;
        progress.done();
      }
      ctx.result(o, record, () => formatImportResult(record));
    });
}
