/**
 * Evidence as JSON files, `<dir>/<learner>/<record id>.json`, written atomically. Each file is
 * checked against the record schema when read, so a damaged file is reported, not half-shown.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EvidenceRecordSchema, type EvidenceRecord } from '../engine/evidence-record.ts';
import { newestFirst, type EvidenceStore } from './evidence-store.ts';

export class FileEvidenceStore implements EvidenceStore {
  constructor(private readonly dir: string) {}

  async save(record: EvidenceRecord): Promise<void> {
    const parsed = EvidenceRecordSchema.parse(record);
    const folder = this.folderOf(parsed.learner.id);
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, `${safeId(parsed.id)}.json`);
    const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(parsed, null, 2)}\n`);
    await rename(temporary, file);
  }

  async get(id: string): Promise<EvidenceRecord | undefined> {
    let learners: string[];
    try {
      // Only learners' folders: a stray file (".DS_Store") in the evidence folder is no learner.
      learners = (await readdir(this.dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    for (const learner of learners) {
      const record = await this.load(path.join(this.dir, learner, `${safeId(id)}.json`));
      if (record) return record;
    }
    return undefined;
  }

  async listFor(learnerId: string): Promise<EvidenceRecord[]> {
    const folder = this.folderOf(learnerId);
    let files: string[];
    try {
      files = (await readdir(folder)).filter((f) => f.endsWith('.json'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records = await Promise.all(files.map((f) => this.load(path.join(folder, f))));
    return records.filter((r): r is EvidenceRecord => r !== undefined && r.learner.id === learnerId).sort(newestFirst);
  }

  private async load(file: string): Promise<EvidenceRecord | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw error;
    }
    const parsed = EvidenceRecordSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${file}: not an evidence record (${parsed.error.issues[0]?.message})`);
    return parsed.data;
  }

  /** Learner ids carry tenant and channel characters: hashed, they are safe folder names. */
  private folderOf(learnerId: string): string {
    return path.join(this.dir, createHash('sha256').update(learnerId).digest('hex').slice(0, 32));
  }
}

const safeId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '_');
