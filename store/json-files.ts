/**
 * JSON files as the file stores keep them: written atomically (a unique temporary file renamed over
 * the old one, so a crash or a concurrent write never leaves half a file), and read as absent when
 * they are not there; and the temporary files that a crash does leave, removed at the next start.
 *
 * @remarks
 * The calls are synchronous on purpose. Each file is a few kilobytes and takes well under a
 * millisecond; the promise versions spent more CPU handing the work to libuv's thread pool and
 * back than the work itself (`npm run bench:load`: about a quarter more turns a second with these).
 * The functions stay async, so a store can move to other storage without its callers changing.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Transcripts and evidence are personal data: readable by the account that runs ServiceSim, no one else. */
const PRIVATE_FOLDER = 0o700;
const PRIVATE_FILE = 0o600;

/** `<file>.<pid>.<uuid>.tmp`, as writeJsonAtomically names them; any other `.tmp` file is not ours to remove. */
const TEMPORARY_FILE = /\.(\d+)\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;
/**
 * A write takes well under a millisecond (synchronously, above): a temporary file this old is no
 * write in progress, whatever process it names (a pid can be reused, as in a container restarted).
 */
const ORPHANED_AFTER_MS = 60_000;

/** Folders this process has made or found: creating them again on every write showed in the profile. */
const madeFolders = new Set<string>();

export async function writeJsonAtomically(file: string, data: unknown, spacing?: number): Promise<void> {
  const folder = path.dirname(file);
  if (!madeFolders.has(folder)) {
    mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER });
    madeFolders.add(folder);
  }
  // The pid names the writer, so a later start can tell a dead process's leftovers from a live write.
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  const text = `${JSON.stringify(data, null, spacing)}\n`;
  try {
    try {
      writeFileSync(temporary, text, { mode: PRIVATE_FILE });
    } catch (error) {
      // The folder was removed behind this process's back (a test's, or an operator's clean-up): make it again, once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER });
      writeFileSync(temporary, text, { mode: PRIVATE_FILE });
    }
    renameSync(temporary, file);
  } catch (error) {
    // A write that failed part way (a full disk) must not leave its temporary file behind either.
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Removes the temporary files under `folder` that interrupted writes left behind: those of a process
 * that is no longer running, and any older than a minute. A fresh one of this process, or of another
 * that is running (a second ServiceSim over the same data folder), may be a write in progress, and is
 * kept. Returns how many were removed.
 */
export async function removeOrphanedTemporaryFiles(folder: string, now = Date.now()): Promise<number> {
  const files = await entriesIfPresent(() => readdir(folder, { recursive: true }));
  let removed = 0;
  for (const name of files) {
    const writer = TEMPORARY_FILE.exec(name)?.[1];
    if (writer === undefined) continue;
    const file = path.join(folder, name);
    const modified = await stat(file).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    // Gone already: its write finished (renamed), or another clean-up took it.
    if (modified === undefined) continue;
    if (now - modified < ORPHANED_AFTER_MS && isRunning(Number(writer))) continue;
    await rm(file, { force: true });
    removed += 1;
  }
  return removed;
}

/** Whether a process with this id is running (one of another account's still counts). */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  // 0 and negative ids would ask about process groups; no writer ever had one.
  if (!Number.isSafeInteger(pid) || pid < 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
