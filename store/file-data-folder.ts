/**
 * Reads a data folder as the file stores wrote it, before SQLite was the default, so that
 * `servicesim migrate` can import it into whichever store is configured: bot state from
 * `state/<2 hex>/<sha256 of key>.json` (`{key, eTag, value}`) and evidence from
 * `evidence/<32 hex>/<id>.json` (any version `readEvidenceRecord` reads, migrated as it is read).
 *
 * @remarks
 * Nothing here writes, and nothing here knows any store: it only says what each file holds. Every
 * file under `state/` and `evidence/` comes out as an item or as a skipped file with its problem
 * (damaged, set aside earlier, left by an interrupted write, foreign), so an import can name all
 * that it did not copy. Problems never quote a file's content: it may hold a learner's words.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { EvidenceRecordSchema, readEvidenceRecord, type EvidenceRecord } from '../engine/evidence-record.ts';

/** One file of the data folder; `file` is its path relative to the data folder. */
export type DataFolderItem =
  | {
      kind: 'state';
      file: string;
      key: string;
      value: unknown;
      /** When the file was last written (epoch ms): the item's last use, from which its expiry is reckoned. */
      writtenAt: number;
    }
  | { kind: 'evidence'; file: string; record: EvidenceRecord }
  | { kind: 'skipped'; file: string; problem: string };

/** `<64 hex>.json`, the name the file store gave a key's file. */
const STATE_FILE = /^([0-9a-f]{64})\.json$/;
const STATE_FOLDER = /^[0-9a-f]{2}$/;
const EVIDENCE_FOLDER = /^[0-9a-f]{32}$/;
/** What the file stores leave beside their files: a damaged file moved aside, a write a crash cut short. */
const SET_ASIDE = /\.damaged-\d+$/;
const TEMPORARY = /\.tmp$/;

/** A file's path relative to the data folder; or, for one where the file stores put none, that and its problem. */
type Found = string | { file: string; problem: string };

/** Every file under the folder's `state/` and then `evidence/`, in name order. */
export async function* readDataFolder(folder: string): AsyncGenerator<DataFolderItem> {
  for (const file of await filesIn(folder, 'state', STATE_FOLDER)) yield await readStateFile(folder, file);
  for (const file of await filesIn(folder, 'evidence', EVIDENCE_FOLDER)) yield await readEvidenceFile(folder, file);
}

/**
 * The files two levels down, `<kind>/<subfolder>/<file>`, relative to the data folder; and any file
 * or folder where the file stores put none, so it is reported rather than passed over.
 */
async function filesIn(folder: string, kind: string, subfolder: RegExp): Promise<Found[]> {
  const out: Found[] = [];
  const top = await readdir(path.join(folder, kind), { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    // A folder with no state yet, or no evidence yet, is simply one with nothing of that kind to import.
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of top.sort(byName)) {
    const relative = path.join(kind, entry.name);
    if (!entry.isDirectory() || !subfolder.test(entry.name)) {
      out.push({ file: relative, problem: `not a ServiceSim ${kind} ${entry.isDirectory() ? 'folder' : 'file'}` });
      continue;
    }
    const inner = await readdir(path.join(folder, relative), { withFileTypes: true });
    for (const file of inner.sort(byName)) {
      const name = path.join(relative, file.name);
      out.push(file.isFile() ? name : { file: name, problem: `not a ServiceSim ${kind} file` });
    }
  }
  return out;
}

async function readStateFile(folder: string, file: Found): Promise<DataFolderItem> {
  if (typeof file !== 'string') return { kind: 'skipped', ...file };
  const name = path.basename(file);
  const hash = STATE_FILE.exec(name)?.[1];
  if (hash === undefined) return { kind: 'skipped', file, problem: leftoverProblem(name, 'state') };
  const json = await readJson(folder, file);
  if (json === NOT_JSON) return { kind: 'skipped', file, problem: 'not JSON' };
  const item = json as { key?: unknown; eTag?: unknown; value?: unknown } | null;
  if (item === null || typeof item !== 'object' || typeof item.key !== 'string' || typeof item.eTag !== 'string' || !('value' in item))
    return { kind: 'skipped', file, problem: 'not a stored item ({key, eTag, value})' };
  // The file store found a key's file by hashing the key: a file whose key hashes elsewhere was never read as that key.
  if (createHash('sha256').update(item.key).digest('hex') !== hash || path.basename(path.dirname(file)) !== hash.slice(0, 2))
    return { kind: 'skipped', file, problem: 'its key does not match its file name (moved or copied by hand?)' };
  const { mtimeMs } = await stat(path.join(folder, file));
  return { kind: 'state', file, key: item.key, value: item.value, writtenAt: mtimeMs };
}

async function readEvidenceFile(folder: string, file: Found): Promise<DataFolderItem> {
  if (typeof file !== 'string') return { kind: 'skipped', ...file };
  const name = path.basename(file);
  if (!name.endsWith('.json')) return { kind: 'skipped', file, problem: leftoverProblem(name, 'evidence') };
  const json = await readJson(folder, file);
  // Only that it is not JSON: the parser's message quotes the text near the fault, a learner's words.
  if (json === NOT_JSON) return { kind: 'skipped', file, problem: 'not JSON' };
  const read = readEvidenceRecord(json);
  if ('problem' in read) return { kind: 'skipped', file, problem: read.problem };
  // A version 1 record is migrated without its end time being checked; a store checks it when saving, so check it here.
  const current = EvidenceRecordSchema.safeParse(read.record);
  if (!current.success) return { kind: 'skipped', file, problem: `migrated, it is still not a record: ${describeIssue(current.error)}` };
  return { kind: 'evidence', file, record: current.data };
}

function leftoverProblem(name: string, kind: string): string {
  if (SET_ASIDE.test(name)) return 'set aside earlier as damaged';
  if (TEMPORARY.test(name)) return 'left by a write that was cut short';
  return `not a ServiceSim ${kind} file`;
}

/** Where and what, never the value: it may be a learner's words. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'unreadable';
}

const NOT_JSON = Symbol('not JSON');

async function readJson(folder: string, file: string): Promise<unknown> {
  const text = await readFile(path.join(folder, file), 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
