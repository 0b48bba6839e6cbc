/**
 * A real `servicesim serve` process for a test: started on a free loopback port with the settings
 * the test gives (every other setting empty, whatever the developer's shell or `.env` holds), and
 * stopped as an operator would stop it, by SIGTERM.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { EMPTY_SETTINGS } from './run-cli.ts';

export interface ServiceSimProcess {
  url: string;
  /** What the process wrote to stdout so far (what it tells people). */
  stdout(): string;
  /** What the process wrote to stderr so far (its structured log). */
  stderr(): string;
  stop(): Promise<void>;
}

const BIN = path.join(import.meta.dirname, '..', 'bin', 'servicesim.js');

export function startServiceSimProcess(env: NodeJS.ProcessEnv): Promise<ServiceSimProcess> {
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', BIN, 'serve', '--port', '0'], {
    env: { ...process.env, NO_COLOR: '1', ...EMPTY_SETTINGS, LOG_LEVEL: 'warn', RATE_LIMITS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void stop().then(() => reject(new Error(`servicesim did not start: ${stderr}`))), 60_000);
    const exitedEarly = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`servicesim exited (${code}) before listening: ${stderr}`));
    };
    child.once('exit', exitedEarly);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
      if (!port) return;
      clearTimeout(timer);
      child.off('exit', exitedEarly);
      resolve({ url: `http://127.0.0.1:${port}`, stdout: () => stdout, stderr: () => stderr, stop });
    });
  });
}
