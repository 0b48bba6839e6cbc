/**
 * The benchmarks' servers as child processes: ServiceSim (`bin/servicesim.js serve --port 0`, its
 * files under a temporary DATA_DIR) or any server that prints `listening on 127.0.0.1:<port>`;
 * started, waited for, stopped gracefully, and never left behind.
 *
 * Importing this module installs the exit and signal handlers, so a bench that starts a child or
 * makes a temporary folder through it cannot forget them: whatever ends the bench (an error, ^C,
 * its watchdog), no child outlives it and no temporary folder stays.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(import.meta.dirname, '..');
/** ServiceSim loads wink-nlp's model and every scenario before it listens: slow on a busy machine. */
const STARTUP_TIMEOUT_MS = 90_000;

export interface RunningChild {
  name: string;
  child: ChildProcess;
  port: number;
}

/**
 * What to do when a child dies after it was listening, without `stopChild` having asked it to:
 * `how` is its signal or `exit code <n>`, `stderrTail` the last of what it wrote to stderr.
 */
export type OnUnexpectedExit = (how: string, stderrTail: string) => void;

const children = new Set<ChildProcess>();
/** Children being stopped on purpose: their exit is not a failure. */
const stopping = new Set<ChildProcess>();
const temporaryDirs = new Set<string>();

export const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Last resort on any exit (error, ^C, watchdog): no child outlives the bench, no temp folder stays. */
function cleanUpNow(): void {
  for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanUpNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench: ${signal}, stopping\n`);
    process.exit(130);
  });
}

/** A fresh folder under the system's temporary one, removed at exit if the bench has not already. */
export function makeTemporaryDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  temporaryDirs.add(dir);
  return dir;
}

export function removeTemporaryDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  temporaryDirs.delete(dir);
}

/** Runs `node <args>` from the repository root and resolves once it says which port it listens on. */
export function startChild(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onUnexpectedExit: OnUnexpectedExit,
): Promise<RunningChild> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    // Only the tail is kept: enough to say why a child failed to start or died.
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not say it was listening within ${STARTUP_TIMEOUT_MS / 1000} s`), STARTUP_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${name} ${why}\n${stderr.trim()}`));
    };
    const earlyExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`exited before listening (${signal ?? `exit code ${code}`})`);
    child.once('exit', earlyExit);
    child.once('error', (error) => fail(`could not be started: ${error.message}`));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      // Still read, so a chatty child never blocks on a full pipe.
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      child.off('exit', earlyExit);
      child.once('exit', (code, signal) => {
        if (!stopping.has(child)) onUnexpectedExit(signal ?? `exit code ${code}`, stderr);
      });
      resolve({ name, child, port: Number(match[1]) });
    });
  });
}

/** SIGTERM (the servers close, then exit 0, which also writes a CPU profile), SIGKILL if it hangs. */
export async function stopChild(running: RunningChild, graceMs = 15_000): Promise<void> {
  const { child } = running;
  stopping.add(child);
  if (!isRunning(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface ServiceSimOptions {
  dataDir: string;
  /** A throughput bench is exactly the flood the per-client and per-conversation limits refuse; a hardening bench wants them on. */
  rateLimitsOff?: boolean;
  /** Node options before the script, such as `--cpu-prof`. */
  extraNodeArgs?: string[];
  /** Settings for this run (REDIS_URL, say), over the caller's environment. */
  env?: NodeJS.ProcessEnv;
  onUnexpectedExit: OnUnexpectedExit;
}

export function startServiceSim({
  dataDir,
  rateLimitsOff = false,
  extraNodeArgs = [],
  env: extraEnv = {},
  onUnexpectedExit,
}: ServiceSimOptions): Promise<RunningChild> {
  // Local anonymous mode whatever the caller's environment holds: no app id, not production.
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...(rateLimitsOff ? { RATE_LIMITS: 'off' } : {}),
    MicrosoftAppId: '',
    MicrosoftAppPassword: '',
    NODE_ENV: '',
    ...extraEnv,
  };
  return startChild(
    'servicesim',
    [...extraNodeArgs, '--disable-warning=DEP0111', 'bin/servicesim.js', 'serve', '--port', '0'],
    env,
    onUnexpectedExit,
  );
}
