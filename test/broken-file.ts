/** Writes variants of a fixture file into a fresh folder, for tests of broken input. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporaryFolder } from './temporary-folder.ts';

export const FIXTURES = path.join(import.meta.dirname, 'fixtures');
export const KETTLE = readFileSync(path.join(FIXTURES, 'kettle-refund.yaml'), 'utf8');

/** A fresh folder for the current test, removed when the test finishes (call it inside a test). */
export function scratchDir(): string {
  return temporaryFolder('servicesim-test-');
}

/** Applies exact text replacements to the fixture (each must match) and writes it as `name`. */
export function writeVariant(dir: string, name: string, edits: Array<[string, string]>, base = KETTLE): string {
  let text = base;
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`fixture has no "${from}"`);
    text = text.replace(from, to);
  }
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The 1-based line of the first occurrence of `needle` in `text`. */
export function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`no "${needle}"`);
  return text.slice(0, index).split('\n').length;
}
