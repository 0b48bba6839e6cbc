/**
 * Settings from a `.env` in the working folder, through the real binary (so as `npm start` and
 * `npx servicesim` read them): `.env` applies, a real environment variable wins over it, no `.env`
 * is silent, and an unreadable one is one clear line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KETTLE } from './broken-file.ts';
import { runCli } from './run-cli.ts';
import { temporaryFolder } from './temporary-folder.ts';

const SHIPPED_RUBRICS = path.join(import.meta.dirname, '..', 'rubrics');

/** A working folder whose `.env` points SERVICESIM_RUBRICS, relative to it, at a folder holding only the kettle scenario. */
function folderWithEnvFile(): string {
  const work = temporaryFolder('servicesim-env-');
  mkdirSync(path.join(work, 'my-rubrics'));
  writeFileSync(path.join(work, 'my-rubrics', 'kettle-refund.yaml'), KETTLE);
  writeFileSync(path.join(work, '.env'), '# as copied from .env.example, then edited\nSERVICESIM_RUBRICS=my-rubrics\nLOG_LEVEL=\n');
  return work;
}

describe('settings from .env in the working folder', () => {
  it('applies them', () => {
    // undefined: the variable is not in the environment at all, so only .env can set it.
    const result = runCli(['validate'], { cwd: folderWithEnvFile(), env: { SERVICESIM_RUBRICS: undefined } });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^valid: 1 scenario file, /m);
    expect(result.code).toBe(0);
  });

  it('lets a real environment variable win over .env', () => {
    const result = runCli(['validate'], { cwd: folderWithEnvFile(), env: { SERVICESIM_RUBRICS: SHIPPED_RUBRICS } });
    expect(result.stdout).toMatch(/^valid: \d{2,} scenario files, 1 dimensions file, 1 units file$/m);
    expect(result.code).toBe(0);
  });

  it('says nothing when there is no .env', () => {
    const result = runCli(['validate'], { cwd: temporaryFolder('servicesim-env-'), env: { SERVICESIM_RUBRICS: undefined } });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^valid: \d{2,} scenario files, 1 dimensions file, 1 units file$/m);
  });

  it('stops with one line and exit code 2 when .env cannot be read', () => {
    const work = temporaryFolder('servicesim-env-');
    mkdirSync(path.join(work, '.env'));
    const result = runCli(['validate'], { cwd: work });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^servicesim: cannot read \.env: /)]);
  });
});
