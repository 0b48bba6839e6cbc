/**
 * Evidence in the embedded SQLite database (the default): each record whole, as JSON, beside the
 * columns the tutor's listings filter and order by, so a filtered page is read from an index, never
 * by reading every record. A record's review status is a column of its own, kept when it is saved again.
 *
 * @remarks
 * Every row read goes through `readEvidenceRecord`, so records of an older schema version are
 * migrated as they are read. A row that is not JSON or not an evidence record is moved to
 * `set_aside` (not lost), reported by id and problem (never its content: a transcript is personal
 * data) and left out, so it never breaks a learner's history; from then on it no longer counts in
 * a listing's total.
 */
import type Database from 'better-sqlite3';
import { EvidenceRecordSchema, readEvidenceRecord, type EvidenceRecord } from '../engine/evidence-record.ts';
import {
  checkReviewStatus,
  instantOf,
  pageOf,
  problemTypeOf,
  type EvidencePage,
  type EvidenceQuery,
  type EvidenceStore,
  type ReviewStatus,
} from './evidence-store.ts';
import { StoreUnavailableError } from './key-value-store.ts';
import { reportToStderr, type SkippedItemReporter } from './skipped-item.ts';
import { storeFault } from './sqlite-database.ts';

interface Row {
  id: string;
  learnerId: string;
  record: string;
}

/** The statements of one combination of filters: a page of rows, and how many rows match in all. */
interface Listing {
  page: Database.Statement<unknown[], Row>;
  count: Database.Statement<unknown[], number>;
}

const ROW = 'SELECT id, learner_id AS learnerId, record FROM evidence';
const NEWEST_FIRST = 'ORDER BY ended_at_ms DESC, id DESC';

/**
 * Each filter of an EvidenceQuery as a fixed piece of SQL and the one value it binds. The learners
 * are bound as one JSON array, so a cohort of any size is one parameter and one cached statement.
 */
const FILTERS: readonly { sql: string; value: (query: EvidenceQuery) => string | number | undefined }[] = [
  { sql: 'learner_id IN (SELECT value FROM json_each(?))', value: (q) => (q.learnerIds ? JSON.stringify(q.learnerIds) : undefined) },
  { sql: 'scenario_id = ?', value: (q) => q.scenarioId },
  { sql: 'problem_type = ?', value: (q) => q.problemType },
  { sql: 'mode = ?', value: (q) => q.mode },
  { sql: 'review_status = ?', value: (q) => q.reviewStatus },
  { sql: 'ended_at_ms >= ?', value: (q) => (q.endedFrom === undefined ? undefined : instantOf('endedFrom', q.endedFrom)) },
  { sql: 'ended_at_ms < ?', value: (q) => (q.endedBefore === undefined ? undefined : instantOf('endedBefore', q.endedBefore)) },
];

export class SqliteEvidenceStore implements EvidenceStore {
  private readonly upsert;
  private readonly selectById;
  private readonly selectByLearner;
  private readonly selectReviewStatus;
  private readonly updateReviewStatus;
  private readonly setAside;
  /** One page statement and one count statement per combination of filters used, prepared at first use. */
  private readonly listings = new Map<string, Listing>();
  private readonly readPage;
  /** Damaged rows this store has moved to set_aside, so a listing knows when reading a page again will help. */
  private setAsideCount = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly skipped: SkippedItemReporter = reportToStderr,
  ) {
    // On conflict every column but review_status is replaced: saving the record again (a reflection added) keeps its review.
    this.upsert = db.prepare(
      `INSERT INTO evidence (id, learner_id, scenario_id, problem_type, mode, ended_at_ms, record)
       VALUES (@id, @learnerId, @scenarioId, @problemType, @mode, @endedAtMs, @record)
       ON CONFLICT (id) DO UPDATE SET learner_id = excluded.learner_id, scenario_id = excluded.scenario_id,
         problem_type = excluded.problem_type, mode = excluded.mode, ended_at_ms = excluded.ended_at_ms, record = excluded.record`,
    );
    this.selectById = db.prepare<[string], Row>(`${ROW} WHERE id = ?`);
    this.selectByLearner = db.prepare<[string], Row>(`${ROW} WHERE learner_id = ? ${NEWEST_FIRST}`);
    this.selectReviewStatus = db.prepare<[string], string>('SELECT review_status FROM evidence WHERE id = ?').pluck();
    this.updateReviewStatus = db.prepare('UPDATE evidence SET review_status = ? WHERE id = ?');
    const copyAside = db.prepare(
      "INSERT INTO set_aside (source, key, content, problem, at) SELECT 'evidence', id, record, @problem, @at FROM evidence WHERE id = @id AND record = @record",
    );
    const deleteIfSame = db.prepare('DELETE FROM evidence WHERE id = @id AND record = @record');
    // Only the row as it was read is moved: one saved again since (by another process) is left alone.
    this.setAside = db.transaction((row: Row, problem: string) => {
      copyAside.run({ id: row.id, record: row.record, problem, at: new Date().toISOString() });
      deleteIfSame.run({ id: row.id, record: row.record });
    });
    // A page and its total from one snapshot, so the total counts the same records the page was cut from.
    this.readPage = db.transaction((statements: Listing, values: unknown[], limit: number, offset: number) => ({
      rows: statements.page.all(...values, limit, offset),
      total: statements.count.get(...values) ?? 0,
    }));
  }

  async save(record: EvidenceRecord): Promise<void> {
    const parsed = EvidenceRecordSchema.parse(record);
    const endedAtMs = instantOf('endedAt', parsed.endedAt);
    this.guard('save evidence', () =>
      this.upsert.run({
        id: parsed.id,
        learnerId: parsed.learner.id,
        scenarioId: parsed.scenario.id,
        problemType: problemTypeOf(parsed),
        mode: parsed.mode,
        endedAtMs,
        record: JSON.stringify(parsed),
      }),
    );
  }

  async get(id: string): Promise<EvidenceRecord | undefined> {
    return this.guard('read evidence', () => {
      const row = this.selectById.get(id);
      return row && this.recordOf(row);
    });
  }

  async listFor(learnerId: string): Promise<EvidenceRecord[]> {
    return this.guard('list evidence', () => this.recordsOf(this.selectByLearner.all(learnerId)));
  }

  async list(query: EvidenceQuery): Promise<EvidencePage> {
    const { limit, offset } = pageOf(query);
    if (query.learnerIds?.length === 0) return { records: [], total: 0 };
    const used = FILTERS.map((filter) => ({ sql: filter.sql, value: filter.value(query) })).filter((f) => f.value !== undefined);
    const where = used.length > 0 ? ` WHERE ${used.map((f) => f.sql).join(' AND ')}` : '';
    const values = used.map((f) => f.value);
    return this.guard('list evidence', () => {
      const statements = this.listing(where);
      for (;;) {
        const { rows, total } = this.readPage(statements, values, limit, offset);
        const setAsideBefore = this.setAsideCount;
        const records = this.recordsOf(rows);
        // Damaged rows were set aside: read the page again, so it is full and its total right. (One
        // that could not be moved, the database being read-only, would only come back: left out.)
        if (records.length === rows.length || this.setAsideCount - setAsideBefore < rows.length - records.length) return { records, total };
      }
    });
  }

  async reviewStatusOf(id: string): Promise<ReviewStatus | undefined> {
    return this.guard('read a review status', () => this.selectReviewStatus.get(id) as ReviewStatus | undefined);
  }

  /** A save here is one row, indexed as it is written: a stored record is always listed. */
  async refile(id: string): Promise<boolean> {
    return (await this.reviewStatusOf(id)) !== undefined;
  }

  async setReviewStatus(id: string, status: ReviewStatus): Promise<boolean> {
    checkReviewStatus(status);
    return this.guard('save a review status', () => this.updateReviewStatus.run(status, id).changes > 0);
  }

  private listing(where: string): Listing {
    let statements = this.listings.get(where);
    if (!statements) {
      statements = {
        page: this.db.prepare<unknown[], Row>(`${ROW}${where} ${NEWEST_FIRST} LIMIT ? OFFSET ?`),
        count: this.db.prepare<unknown[], number>(`SELECT count(*) FROM evidence${where}`).pluck(),
      };
      this.listings.set(where, statements);
    }
    return statements;
  }

  private recordsOf(rows: readonly Row[]): EvidenceRecord[] {
    return rows.map((row) => this.recordOf(row)).filter((r): r is EvidenceRecord => r !== undefined);
  }

  /** The row's record, migrated to the current version; or, for a damaged row, undefined, the row set aside and reported. */
  private recordOf(row: Row): EvidenceRecord | undefined {
    let json: unknown;
    try {
      json = JSON.parse(row.record);
    } catch {
      return this.putAside(row, 'not JSON');
    }
    const read = readEvidenceRecord(json);
    if ('problem' in read) {
      // Readable JSON this version cannot read (a newer ServiceSim's, sharing the database in a rolling
      // upgrade) is left where it is: skipped and reported, never moved out of that version's sight.
      this.skipped(`sqlite evidence "${row.id}"`, `${read.problem}; skipped, left in place`);
      return undefined;
    }
    // The columns decide whose history a record is listed in: a record that disagrees with them is not to be trusted there.
    if (read.record.id !== row.id || read.record.learner.id !== row.learnerId)
      return this.putAside(row, 'its id or learner does not match its row');
    return read.record;
  }

  /**
   * Moves a damaged row to set_aside. When the database cannot be written (read-only, full) the row
   * is still left out and reported, and stays where it is: a learner's history still reads.
   */
  private putAside(row: Row, problem: string): undefined {
    try {
      this.setAside.immediate(row, problem);
    } catch (error) {
      const fault = storeFault(error, this.db, 'set a damaged record aside');
      if (!(fault instanceof StoreUnavailableError)) throw fault;
      this.skipped(`sqlite evidence "${row.id}"`, `${problem}; left in place (${fault.message})`);
      return undefined;
    }
    this.setAsideCount += 1;
    this.skipped(`sqlite evidence "${row.id}"`, `${problem}; set aside`);
    return undefined;
  }

  private guard<T>(doing: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw storeFault(error, this.db, doing);
    }
  }
}
