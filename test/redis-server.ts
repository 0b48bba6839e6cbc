/**
 * Redis servers for tests, started and stopped by the tests themselves (Debian's redis-server starts
 * none): one server, which a fault test can stop and start again on the same port, or a Redis
 * Cluster of three masters. Each keeps what it writes to disk, if anything, in its own temporary
 * folder. No server or folder outlives the test process, even one killed half way: vitest ends its
 * workers with SIGTERM, when no `exit` handler runs, so a guard process does the cleaning up then.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTemporaryFolder, removeTemporaryFolder } from './temporary-folder.ts';

const run = promisify(execFile);

export interface RedisServer {
  port: number;
  url: string;
  /**
   * Stops the server and removes its folder; stopping twice is no error. A persistent server's
   * folder is kept for a `restart()`, and removed when the test process ends.
   */
  stop(): Promise<void>;
  /** Stops the server if it is running and starts it again on the same port: empty, unless persistent. */
  restart(): Promise<void>;
}

export interface RedisCluster {
  nodes: { host: string; port: number }[];
  /** Stops every node and removes their folder; stopping twice is no error. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** Added to its command line (`--rename-command KEYS ""`, say). */
  args?: readonly string[];
  /**
   * Keeps every write in an append-only file in its folder, synced at once, so a `restart()` keeps
   * what was written, as a production Redis must. Otherwise it keeps nothing on disk.
   */
  persistent?: boolean;
}

/** One redis-server on a free port of 127.0.0.1. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = makeTemporaryFolder('servicesim-redis-');
  let server: ChildProcess | undefined;
  let guard = guardAgainstExit([], dir);
  let port = 0;
  const start = async () => {
    mkdirSync(dir, { recursive: true });
    server = spawnRedis([
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      ...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
      '--dir',
      dir,
      ...(options.args ?? []),
    ]);
    disarm(guard);
    guard = guardAgainstExit([server], dir);
    try {
      await answering(server, port);
    } catch (error) {
      await stop();
      throw error;
    }
  };
  const stop = async () => {
    await stopProcess(server);
    server = undefined;
    disarm(guard);
    guard = guardAgainstExit([], dir);
  };
  try {
    // A port found free may be taken before redis-server binds it: then try another.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await start();
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  } catch (error) {
    disarm(guard);
    removeTemporaryFolder(dir);
    throw error;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await stop();
      // A persistent server's folder stays guarded, for a restart; any other is removed now.
      if (options.persistent) return;
      disarm(guard);
      removeTemporaryFolder(dir);
    },
    restart: async () => {
      await stop();
      await start();
    },
  };
}

/** Three cluster-enabled redis-servers holding all the slots between them, no replicas, ready to serve. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = makeTemporaryFolder('servicesim-redis-cluster-');
  const servers: ChildProcess[] = [];
  let guard = guardAgainstExit([], dir);
  const stop = async () => {
    await Promise.all(servers.splice(0).map((server) => stopProcess(server)));
    disarm(guard);
    removeTemporaryFolder(dir);
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      // The cluster bus needs a port of its own; chosen here rather than left at port + 10000, which may be taken.
      const port = await freePort();
      let busPort = await freePort();
      while (busPort === port) busPort = await freePort();
      const server = spawnRedis([
        '--port',
        String(port),
        '--cluster-port',
        String(busPort),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(dir, `nodes-${port}.conf`),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ]);
      servers.push(server);
      disarm(guard);
      guard = guardAgainstExit(servers, dir);
      await answering(server, port);
      ports.push(port);
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: 30_000,
    });
    await Promise.all(
      ports.map((port) => waitFor(async () => (await redisCli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), 20_000)),
    );
    return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A shell that waits for its input to end, which happens only when the test process ends (however it
 * ends: the kernel closes the pipe), then stops these servers and removes the folder. Disarmed (killed)
 * when they are stopped as planned, so it can never signal a process id the system has since reused.
 */
function guardAgainstExit(servers: readonly ChildProcess[], dir: string): ChildProcess {
  // Waits at most five seconds for each to exit, and not for one that has (a zombie no one has reaped yet).
  const script = `read _; for p in "$@"; do kill "$p" 2>/dev/null; done
for p in "$@"; do
  i=0; while [ $i -lt 50 ] && kill -0 "$p" 2>/dev/null && ! grep -q '^[0-9]* (.*) Z' "/proc/$p/stat" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
done
rm -rf "$DIR"`;
  const pids = servers.map((server) => String(server.pid));
  const guard = spawn('sh', ['-c', script, 'guard', ...pids], { stdio: ['pipe', 'ignore', 'ignore'], env: { ...process.env, DIR: dir } });
  // Neither the guard nor its pipe keeps the test process alive.
  guard.unref();
  (guard.stdin as unknown as { unref(): void }).unref();
  return guard;
}

function disarm(guard: ChildProcess | undefined): void {
  guard?.kill('SIGKILL');
  guard?.stdin?.destroy();
}

/** A port nobody is listening on now: the system's choice for a listener on port 0. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Starts redis-server, keeping the tail of what it says, to tell why should it not start. */
function spawnRedis(args: string[]): ChildProcess {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => output.splice(0, output.push(chunk.toString()) - 20);
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  said.set(child, output);
  return child;
}

const said = new WeakMap<ChildProcess, string[]>();

/** Waits until the server answers PING; throws, with what it said, if it exits first or never answers. */
async function answering(child: ChildProcess, port: number): Promise<void> {
  await waitFor(async () => {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`redis-server exited at start:\n${said.get(child)?.join('')}`);
    return (await redisCli(port, 'PING')) === 'PONG';
  }, 10_000);
}

/** SIGTERM, and SIGKILL if it has not exited after five seconds; resolves once it has exited. */
async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function redisCli(port: number, ...command: string[]): Promise<string> {
  try {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...command], { timeout: 2_000 });
    return stdout.trim();
  } catch {
    return '';
  }
}

async function waitFor(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
