/**
 * Temporary folders for tests. Each is removed when the test that made it finishes, pass or fail,
 * so a test run leaves nothing behind in the system's temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';

/**
 * A new empty folder, removed when the current test finishes. Call it inside a test: outside one
 * (in a describe body or a beforeAll) vitest throws, rather than the folder being silently kept.
 * For a folder that must outlive one test, use makeTemporaryFolder and remove it yourself.
 */
export function temporaryFolder(prefix = 'servicesim-test-'): string {
  const folder = makeTemporaryFolder(prefix);
  onTestFinished(() => removeTemporaryFolder(folder));
  return folder;
}

/** A new empty folder that the caller removes with removeTemporaryFolder (a server's data folder, say). */
export function makeTemporaryFolder(prefix = 'servicesim-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function removeTemporaryFolder(folder: string): void {
  // force: a test may already have removed it, or part of it.
  rmSync(folder, { recursive: true, force: true });
}
