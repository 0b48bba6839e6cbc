/**
 * JSON files as the file stores keep them: written atomically (a unique temporary file renamed over
 * the old one, so a crash or a concurrent write never leaves half a file), and read as absent when
 * they are not there.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeJsonAtomically(file: string, data: unknown, spacing?: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(data, null, spacing)}\n`);
  await rename(temporary, file);
}

/** The parsed file, or undefined when it (or a folder on its path) does not exist. */
export async function readJsonIfPresent(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
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
