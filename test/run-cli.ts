/** Runs the real `servicesim` binary, as a user would through npx. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'servicesim.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? path.join(import.meta.dirname, '..'),
    input: options.input ?? '',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    timeout: 25_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
