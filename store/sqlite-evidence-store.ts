/**
 * Evidence in the embedded SQLite database (the default): each record whole, as JSON, beside the
 * columns the tutor's listings filter and order by, so a filtered page is read from an index, never
 * by reading every record. A record's review status is a column of its own, kept when it is saved
 * again; its score flags are rows of `evidence_flag`, written with it.
 *
 * @remarks
 * Every row read goes through `readEvidenceRecord`, so records of an older schema version are
 * migrated as they are read. A row that is not JSON or not an evidence record is moved to
 * `set_aside` (not lost), reported by id and problem (never its content: a transcript is personal
 * data) and left out, so it never breaks a learner's history; from then on it no longer counts in
 * a listing's total.
 *
 * A record deleted (a learner erased, or past the retention period) takes its flags and any copy
 * set aside of it with it, in one transaction.
 */
import type Database from 'better-sqlite3';
import { EvidenceRecordSchema, readEvidenceRecord, type EvidenceRecord } from '../engine/evidence-record.ts';
import { scoreFlagsOf, type ScoreFlag } from '../engine/score-flags.ts';
import {
  checkReviewStatus,
  flagsOf,
  instantOf,
  pageOf,
  positionAfter,
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

/** A fixed piece of SQL and the values it binds. */
interface Clause {
  sql: string;
  values: readonly (string | number)[];
}

const ROW = 'SELECT id, learner_id AS learnerId, record FROM evidence';
const NEWEST_FIRST = 'ORDER BY ended_at_ms DESC, id DESC';

const clause = (sql: string, value: string | number | undefined): Clause[] => (value === undefined ? [] : [{ sql, values: [value] }]);

/**
 * The filters of an EvidenceQuery as SQL, each a fixed piece (so each combination is one cached
 * statement), and the values they bind. The learners are bound as one JSON array, so a cohort of any
 * size is one parameter; each flag is a clause of its own, answered from the flags' index.
 */
function filterClauses(q: EvidenceQuery): Clause[] {
  return [
    ...clause('learner_id IN (SELECT value FROM json_each(?))', q.learnerIds && JSON.stringify(q.learnerIds)),
    ...clause('scenario_id = ?', q.scenarioId),
    ...clause('problem_type = ?', q.problemType),
    ...clause('mode = ?', q.mode),
    ...clause('review_status = ?', q.reviewStatus),
    ...clause('ended_at_ms >= ?', q.endedFrom === undefined ? undefined : instantOf('endedFrom', q.endedFrom)),
    ...clause('ended_at_ms < ?', q.endedBefore === undefined ? undefined : instantOf('endedBefore', q.endedBefore)),
    ...flagsOf(q).map((flag) => ({ sql: 'id IN (SELECT id FROM evidence_flag WHERE flag = ?)', values: [flag] })),
  ];
}

/**
 * A query's `after` as SQL: a row value compared as the listing orders (end time, then id), so the
 * page is read from the same index as without it, starting at the position.
 */
function afterClause(q: EvidenceQuery): Clause[] {
  const after = positionAfter(q);
  return after === undefined ? [] : [{ sql: '(ended_at_ms, id) < (?, ?)', values: [after.endedAtMs, after.id] }];
}

const whereOf = (clauses: readonly Clause[]) => (clauses.length > 0 ? ` WHERE ${clauses.map((c) => c.sql).join(' AND ')}` : '');

export class SqliteEvidenceStore implements EvidenceStore {
  private readonly write;
  private readonly fileAgain;
  private readonly selectById;
  private readonly selectByLearner;
  private readonly selectReviewStatus;
  private readonly updateReviewStatus;
  private readonly setAside;
  private readonly remove;
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
    const upsert = db.prepare(
      `INSERT INTO evidence (id, learner_id, scenario_id, problem_type, mode, ended_at_ms, record)
       VALUES (@id, @learnerId, @scenarioId, @problemType, @mode, @endedAtMs, @record)
       ON CONFLICT (id) DO UPDATE SET learner_id = excluded.learner_id, scenario_id = excluded.scenario_id,
         problem_type = excluded.problem_type, mode = excluded.mode, ended_at_ms = excluded.ended_at_ms, record = excluded.record`,
    );
    const unflag = db.prepare('DELETE FROM evidence_flag WHERE id = ?');
    const flag = db.prepare('INSERT INTO evidence_flag (id, flag) VALUES (?, ?)');
    const fileFlags = (id: string, flags: readonly ScoreFlag[]) => {
      unflag.run(id);
      for (const f of flags) flag.run(id, f);
    };
    // The record and its flags in one transaction: a listing never sees one without the other.
    this.write = db.transaction((row: { id: string; [column: string]: string | number }, flags: readonly ScoreFlag[]) => {
      upsert.run(row);
      fileFlags(row.id, flags);
    });
    this.selectById = db.prepare<[string], Row>(`${ROW} WHERE id = ?`);
    // Read and filed under one write lock, so a save by another process cannot come between.
    this.fileAgain = db.transaction((id: string) => {
      const row = this.selectById.get(id);
      const record = row && this.recordOf(row);
      if (record) fileFlags(id, scoreFlagsOf(record.report));
      return row !== undefined;
    });
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
    const deleteFlags = db.prepare('DELETE FROM evidence_flag WHERE id = ?');
    const deleteRecord = db.prepare('DELETE FROM evidence WHERE id = ?');
    const deleteSetAside = db.prepare("DELETE FROM set_aside WHERE source = 'evidence' AND key = ?");
    // The flags by hand as well as by the cascade: a connection opened without foreign keys would leave them.
    this.remove = db.transaction((id: string) => {
      deleteFlags.run(id);
      const deleted = deleteRecord.run(id).changes > 0;
      deleteSetAside.run(id);
      return deleted;
    });
    // A page and its total from one snapshot, so the total counts the same records the page was cut from.
    this.readPage = db.transaction((statements: Listing, pageValues: unknown[], countValues: unknown[], limit: number, offset: number) => ({
      rows: statements.page.all(...pageValues, limit, offset),
      total: statements.count.get(...countValues) ?? 0,
    }));
  }

  async save(record: EvidenceRecord): Promise<void> {
    const parsed = EvidenceRecordSchema.parse(record);
    const endedAtMs = instantOf('endedAt', parsed.endedAt);
    const row = {
      id: parsed.id,
      learnerId: parsed.learner.id,
      scenarioId: parsed.scenario.id,
      problemType: problemTypeOf(parsed),
      mode: parsed.mode,
      endedAtMs,
      record: JSON.stringify(parsed),
    };
    this.guard('save evidence', () => this.write.immediate(row, scoreFlagsOf(parsed.report)));
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
    const filters = filterClauses(query);
    const after = afterClause(query);
    const values = filters.flatMap((c) => c.values);
    const pageValues = [...values, ...after.flatMap((c) => c.values)];
    return this.guard('list evidence', () => {
      // The total counts every match; only the page starts after the position.
      const statements = this.listing(whereOf([...filters, ...after]), whereOf(filters));
      for (;;) {
        const { rows, total } = this.readPage(statements, pageValues, values, limit, offset);
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

  /**
   * A save here is one transaction, indexed as it is written: a stored record is always listed. Its
   * flags are decided again from the record as stored (and a damaged row is set aside, as when read).
   */
  async refile(id: string): Promise<boolean> {
    return this.guard('file evidence again', () => this.fileAgain.immediate(id));
  }

  async delete(id: string): Promise<boolean> {
    return this.guard('delete evidence', () => this.remove.immediate(id));
  }

  async setReviewStatus(id: string, status: ReviewStatus): Promise<boolean> {
    checkReviewStatus(status);
    return this.guard('save a review status', () => this.updateReviewStatus.run(status, id).changes > 0);
  }

  private listing(pageWhere: string, countWhere: string): Listing {
    const key = `${pageWhere}\n${countWhere}`;
    let statements = this.listings.get(key);
    if (!statements) {
      statements = {
        // The page's ids first, then only their records: a filter no index keeps in listing order (a
        // flag, a cohort) sorts its matches by end time and id alone, never carrying every match's JSON.
        page: this.db.prepare<unknown[], Row>(
          `${ROW} WHERE id IN (SELECT id FROM evidence${pageWhere} ${NEWEST_FIRST} LIMIT ? OFFSET ?) ${NEWEST_FIRST}`,
        ),
        count: this.db.prepare<unknown[], number>(`SELECT count(*) FROM evidence${countWhere}`).pluck(),
      };
      this.listings.set(key, statements);
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
