/**
 * JSON files as the file stores keep them: written atomically (a unique temporary file renamed over
 * the old one, so a crash or a concurrent write never leaves half a file), and read as absent when
 * they are not there.
 *
 * @remarks
 * The calls are synchronous on purpose. Each file is a few kilobytes and takes well under a
 * millisecond; the promise versions spent more CPU handing the work to libuv's thread pool and
 * back than the work itself (`npm run bench:load`: about a quarter more turns a second with these).
 * The functions stay async, so a store can move to other storage without its callers changing.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Transcripts and evidence are personal data: readable by the account that runs ServiceSim, no one else. */
const PRIVATE_FOLDER = 0o700;
const PRIVATE_FILE = 0o600;

/** Folders this process has made or found: creating them again on every write showed in the profile. */
const madeFolders = new Set<string>();

export async function writeJsonAtomically(file: string, data: unknown, spacing?: number): Promise<void> {
  const folder = path.dirname(file);
  if (!madeFolders.has(folder)) {
    mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER });
    madeFolders.add(folder);
  }
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(data, null, spacing)}\n`, { mode: PRIVATE_FILE });
  } catch (error) {
    // The folder was removed behind this process's back (a test's, or an operator's clean-up): make it again, once.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER });
    writeFileSync(temporary, `${JSON.stringify(data, null, spacing)}\n`, { mode: PRIVATE_FILE });
  }
  renameSync(temporary, file);
}

/** The parsed file, or undefined when it (or a folder on its path) does not exist. */
export async function readJsonIfPresent(file: string): Promise<unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  return JSON.parse(text);
}

/** A folder's entries, or none when the folder does not exist yet. */
export async function entriesIfPresent<T>(read: () => Promise<T[]>): Promise<T[]> {
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
