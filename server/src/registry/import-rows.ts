/**
 * The CSV sink of an import: header → column map; each row → cells by field → one validated,
 * tokenised entry, staged in batches. Collects line-numbered errors (the first `maxErrors`
 * listed, all counted). A row's PAN lives only inside `row()`: what leaves is its token.
 */
import { mapHeader, type Field } from './csv-columns.js';
import type { CsvSink } from './csv-rows.js';
import { CellProblem } from './csv-values.js';
import { rowToEntry, type Cells, type ImportKind, type KindRules, type StagedRow } from './import-kinds.js';
import type { ImportLineError } from './import-records.js';
import type { ImportStage } from './import-stage.js';

const BATCH = 5000;
/** U+FFFD: bytes that were not UTF-8 (decoded as the replacement character); NUL: a binary file. */
const notText = (cell: string): boolean => cell.includes('\uFFFD') || cell.includes('\u0000');
const NOT_UTF8 = 'the line is not UTF-8 text (save the file as CSV UTF-8)';

export interface RowsResult {
  readonly rows: number;
  readonly valid: number;
  readonly errorCount: number;
  readonly errors: ImportLineError[];
}

export class ImportRowHandler implements CsvSink {
  private columns: readonly (Field | null)[] = [];
  private batch: { line: number; row: StagedRow }[] = [];
  private rows = 0;
  private valid = 0;
  private errorCount = 0;
  private readonly errors: ImportLineError[] = [];

  constructor(
    private readonly kind: ImportKind,
    private readonly rules: KindRules,
    private readonly stage: ImportStage,
    private readonly maxErrors: number,
    /** Rows of any other school are line errors (a school-limited import). */
    private readonly onlySchool: string | undefined,
    private readonly onRow: (rows: number, valid: number, errors: number) => void,
  ) {}

  header(cells: string[], line: number): boolean {
    if (cells.some(notText)) {
      this.error(line, NOT_UTF8);
      return false;
    }
    const mapped = mapHeader(this.kind, cells);
    if (!mapped.ok) {
      for (const p of mapped.problems) this.error(line, `header: ${p}`);
      return false;
    }
    this.columns = mapped.columns;
    return true;
  }

  row(cells: string[], line: number): void {
    this.rows += 1;
    try {
      const values: Cells = {};
      for (let i = 0; i < cells.length; i += 1) {
        const field = this.columns[i];
        const v = cells[i];
        if (v === undefined) continue;
        if (notText(v)) throw new CellProblem(NOT_UTF8);
        if (field !== null && field !== undefined) values[field] = v.trim();
      }
      const entry = rowToEntry(this.kind, values, this.rules);
      const school = entry.attrs['schoolId'];
      if (this.onlySchool !== undefined && school !== this.onlySchool) throw new CellProblem(`school ${String(school)}: this import is limited to school ${this.onlySchool}`);
      this.batch.push({ line, row: entry });
      this.valid += 1;
      if (this.batch.length >= BATCH) this.flush();
    } catch (err) {
      if (!(err instanceof CellProblem)) throw err;
      this.error(line, err.message);
    }
    this.onRow(this.rows, this.valid, this.errorCount);
  }

  error(line: number, message: string): void {
    this.errorCount += 1;
    if (this.errors.length < this.maxErrors) this.errors.push({ line, message });
  }

  finish(): RowsResult {
    this.flush();
    for (const d of this.stage.seal()) {
      this.valid -= 1;
      this.error(d.line, `the same card as line ${d.firstLine}${d.panMasked === null ? '' : ` (${d.panMasked})`}`);
    }
    if (this.rows === 0 && this.errorCount === 0) this.error(2, 'the file has a header but no rows (an empty registry is not imported)');
    return { rows: this.rows, valid: this.valid, errorCount: this.errorCount, errors: [...this.errors].sort((a, b) => a.line - b.line) };
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    this.stage.add(this.batch);
    this.batch = [];
  }
}
