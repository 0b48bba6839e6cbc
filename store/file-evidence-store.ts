/**
 * Evidence as JSON files, `<dir>/<learner>/<record id>.json`, written atomically. Each file is
 * checked against the record schema when read (older versions migrated), so a damaged or foreign
 * file is skipped and reported, never half-shown, and never stops the rest from being read.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { EvidenceRecordSchema, readEvidenceRecord, type EvidenceRecord } from '../engine/evidence-record.ts';
import { newestFirst, type EvidenceStore } from './evidence-store.ts';
import { entriesIfPresent, readJsonIfPresent, removeOrphanedTemporaryFiles, writeJsonAtomically } from './json-files.ts';
import { reportToStderr, type SkippedFileReporter } from './skipped-file.ts';

export class FileEvidenceStore implements EvidenceStore {
  constructor(
    private readonly dir: string,
    private readonly skipped: SkippedFileReporter = reportToStderr,
  ) {}

  /** At start: removes temporary files left by writes a crash cut short; returns how many. */
  async removeOrphans(): Promise<number> {
    return removeOrphanedTemporaryFiles(this.dir);
  }

  async save(record: EvidenceRecord): Promise<void> {
    const parsed = EvidenceRecordSchema.parse(record);
    await writeJsonAtomically(path.join(this.folderOf(parsed.learner.id), `${safeId(parsed.id)}.json`), parsed, 2);
  }

  async get(id: string): Promise<EvidenceRecord | undefined> {
    // Only learners' folders: a stray file (".DS_Store") in the evidence folder is no learner.
    const learners = await entriesIfPresent(async () =>
      (await readdir(this.dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name),
    );
    for (const learner of learners) {
      const record = await this.load(path.join(this.dir, learner, `${safeId(id)}.json`));
      if (record) return record;
    }
    return undefined;
  }

  async listFor(learnerId: string): Promise<EvidenceRecord[]> {
    const folder = this.folderOf(learnerId);
    const files = await entriesIfPresent(async () => (await readdir(folder)).filter((f) => f.endsWith('.json')));
    const records = await Promise.all(files.map((f) => this.load(path.join(folder, f))));
    return records.filter((r): r is EvidenceRecord => r !== undefined && r.learner.id === learnerId).sort(newestFirst);
  }

  private async load(file: string): Promise<EvidenceRecord | undefined> {
    let json: unknown;
    try {
      json = await readJsonIfPresent(file);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      // Only that it is not JSON: the parser's message quotes the text near the fault, a learner's words.
      this.skipped(file, 'not JSON');
      return undefined;
    }
    if (json === undefined) return undefined;
    const read = readEvidenceRecord(json);
    if ('problem' in read) {
      this.skipped(file, read.problem);
      return undefined;
    }
    return read.record;
  }

  /** Learner ids carry tenant and channel characters: hashed, they are safe folder names. */
  private folderOf(learnerId: string): string {
    return path.join(this.dir, createHash('sha256').update(learnerId).digest('hex').slice(0, 32));
  }
}

const safeId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '_');
