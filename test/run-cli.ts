/** Runs the real `servicesim` binary, as a user would through npx. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'servicesim.js');

/**
 * Every ServiceSim setting, as listed in .env.example. The CLI tests run in the clone, where a
 * developer may keep a `.env`, and under a shell that may set some of these: each is passed as empty
 * (which means "the default", and which a `.env` cannot override) unless the test sets it, so
 * neither can change what the tests see. A test that wants `.env` to apply passes the key as undefined.
 */
const SETTINGS = [...readFileSync(path.join(ROOT, '.env.example'), 'utf8').matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]!);
export const EMPTY_SETTINGS = Object.fromEntries(SETTINGS.map((name) => [name, '']));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  options: {
    cwd?: string;
    input?: string;
    env?: NodeJS.ProcessEnv;
    /** For a command that waits on purpose (10 s for a Redis that never answers). */
    timeoutMs?: number;
  } = {},
): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input ?? '',
    // A variable left undefined here is not passed to the binary at all.
    env: { ...process.env, NO_COLOR: '1', ...EMPTY_SETTINGS, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 25_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
