/**
 * The connection to Redis (one server, or a Redis Cluster) that the Redis stores share, with the
 * options a bot needs: a learner's turn must never hang on a Redis that has gone away, and the bot
 * must come back by itself when Redis does. Also what the stores need from every call they make over
 * it: Lua scripts by name, and Redis faults told apart from bugs (`StoreUnavailableError`).
 *
 * @remarks
 * Commands fail fast rather than wait: until the first connection is made they wait (at most
 * `commandTimeoutMs`); once connected, a command sent while the connection is down fails at once,
 * and a command in flight when it drops fails and is never sent again, since a write whose fate is
 * unknown must not be repeated behind the caller's back (a create or an eTag check would then refuse
 * the caller's own write). Reconnection carries on by itself, with a backoff capped at
 * `maxReconnectDelayMs`. The URL carries the password (Azure Cache for Redis takes its access key
 * as the password): it is never logged and never put in an error message.
 */
import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import { StoreUnavailableError } from './key-value-store.ts';

export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]` or `rediss://…` for TLS (Azure Cache for Redis:
   * `rediss://:<access key>@<name>.redis.cache.windows.net:6380`). For a cluster, a comma-separated
   * list of seed URLs, each with the same credentials; the rest of the cluster is found from them.
   */
  url: string;
  cluster?: boolean;
  /** A command with no reply after this long fails (default 3000). */
  commandTimeoutMs?: number;
  /** A connection attempt that has not connected after this long is given up and tried again (default 5000). */
  connectTimeoutMs?: number;
  /** The longest wait between reconnection attempts (default 2000). */
  maxReconnectDelayMs?: number;
  /**
   * Told when the connection is up, and once per outage when it is lost, with a reason that names no
   * host or password (an error code or class). For the log; the stores report faults themselves.
   */
  onConnectionChange?: (change: { connected: boolean; reason?: string }) => void;
}

const DEFAULTS = { commandTimeoutMs: 3_000, connectTimeoutMs: 5_000, maxReconnectDelayMs: 2_000 };

/** A client for the Redis or Redis Cluster at `url`; it connects in the background. */
export function connectRedis(options: RedisConnectionOptions): RedisClient {
  const settings = { ...DEFAULTS, ...options };
  const seeds = options.url.split(',').map((url) => parseRedisUrl(url.trim()));
  const first = seeds[0]!;
  const backoff = (attempt: number) =>
    Math.min(50 * 2 ** Math.min(attempt - 1, 16), settings.maxReconnectDelayMs) + Math.floor(Math.random() * 100);
  const perConnection: RedisOptions = {
    ...first.credentials,
    ...(first.tls ? { tls: first.tls } : {}),
    connectTimeout: settings.connectTimeoutMs,
    commandTimeout: settings.commandTimeoutMs,
    // In-flight commands fail on the first lost connection and are never sent again (see @remarks).
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectionName: 'servicesim',
  };
  let client: RedisClient;
  if (options.cluster) {
    if (seeds.some((seed) => seed.db !== 0)) throw new Error('Redis Cluster has only database 0: remove the "/<db>" from the Redis URL');
    const clusterOptions: ClusterOptions = {
      enableAutoPipelining: true,
      enableOfflineQueue: true,
      clusterRetryStrategy: backoff,
      // Never send a command again after its connection closed: a create or eTag write that did land
      // would then be refused as someone else's, and a turn taken twice. It fails as unavailable instead.
      retryDelayOnFailover: 0,
      redisOptions: perConnection,
      // Behind TLS (Azure, ElastiCache) the nodes are announced by IP address, while the certificate
      // names the host: connect to the addresses as given and check the certificate against the host.
      ...(first.tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
    };
    client = new Cluster(
      seeds.map((seed): ClusterNode => ({ host: seed.host, port: seed.port })),
      clusterOptions,
    );
  } else {
    if (seeds.length > 1) throw new Error('the Redis URL lists several servers: set cluster mode for a Redis Cluster');
    client = new Redis({
      ...perConnection,
      host: first.host,
      port: first.port,
      db: first.db,
      enableAutoPipelining: true,
      enableOfflineQueue: true,
      retryStrategy: backoff,
    });
  }
  watchConnection(client, options.onConnectionChange);
  return client;
}

/**
 * Queue commands only until the first connection is ready (the bot may take a turn while it is still
 * connecting); from then on a command sent while disconnected fails at once rather than waiting.
 */
function watchConnection(client: RedisClient, onChange: RedisConnectionOptions['onConnectionChange']): void {
  let connected: boolean | undefined;
  client.on('ready', () => {
    client.options.enableOfflineQueue = false;
    if (connected !== true) onChange?.({ connected: true });
    connected = true;
  });
  // Without a listener ioredis prints every reconnection error to the console.
  client.on('error', (error: unknown) => {
    if (connected !== false) onChange?.({ connected: false, reason: faultLabel(error) ?? 'error' });
    connected = false;
  });
  client.on('end', () => {
    if (connected === true) onChange?.({ connected: false, reason: 'closed' });
    connected = false;
  });
}

interface ParsedRedisUrl {
  host: string;
  port: number;
  db: number;
  credentials: { username?: string; password?: string };
  tls?: ConnectionOptions;
}

/** Parsed here rather than by ioredis, which lets settings in the URL's query override the ones chosen above. */
function parseRedisUrl(text: string): ParsedRedisUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not the text itself: it may carry the password.
    throw new Error('the Redis URL is not a URL: expected redis://[:password@]host[:port] or rediss://…');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error('the Redis URL must start redis:// or rediss:// (TLS)');
  if (url.search) throw new Error('the Redis URL has settings after "?", which ServiceSim does not read: remove them');
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error('the Redis URL names a database that is not a number: expected /0, /1, …');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const credentials = {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
  return {
    host,
    port: url.port ? Number(url.port) : 6379,
    db,
    credentials,
    ...(url.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  };
}

/** Where the URL points, for people: `127.0.0.1:6379`, or the seed nodes of a cluster; never the credentials. */
export function describeRedisUrl(text: string): string {
  return text
    .split(',')
    .map((url) => {
      const { host, port, tls } = parseRedisUrl(url.trim());
      return `${host.includes(':') ? `[${host}]` : host}:${port}${tls ? ' (TLS)' : ''}`;
    })
    .join(', ');
}

/** Whether Redis (every master of a cluster) answers, for /healthz: never throws, never waits longer than `timeoutMs`. */
export async function pingRedis(client: RedisClient, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), timeoutMs)));
    // On a cluster, the master of every slot: one with a master down cannot take the turns whose keys
    // it holds. ioredis drops a dead node from its node list at once, so the slots say who should answer.
    const nodes = client.isCluster ? mastersOfEverySlot(client as Cluster) : [client as Redis];
    if (nodes === undefined || nodes.length === 0) return false;
    const answers = await Promise.race([Promise.all(nodes.map((node) => node.ping())), timeout]);
    return answers.every((answer) => answer === 'PONG');
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const CLUSTER_SLOTS = 16_384;

/** The node serving each slot's master, or undefined when a slot has none this client can reach. */
function mastersOfEverySlot(cluster: Cluster): Redis[] | undefined {
  const byKey = new Map(cluster.nodes('all').map((node) => [`${node.options.host}:${node.options.port}`, node]));
  const masters = new Set<string>();
  for (let slot = 0; slot < CLUSTER_SLOTS; slot += 1) {
    const master = cluster.slots[slot]?.[0];
    if (master === undefined) return undefined;
    masters.add(master);
  }
  const nodes: Redis[] = [];
  for (const key of masters) {
    const node = byKey.get(key);
    if (!node) return undefined;
    nodes.push(node);
  }
  return nodes;
}

/** Closes the connection: politely if Redis answers, at once if it does not. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([client.quit(), new Promise((resolve) => (timer = setTimeout(resolve, 1_000)))]);
  } catch {
    // Already down: nothing to say goodbye to.
  } finally {
    clearTimeout(timer);
    // Read again: quitting changes it (TypeScript still has it narrowed from above).
    if ((client.status as string) !== 'end') client.disconnect();
  }
}

/**
 * A Lua script the stores call by name: sent whole once per connection, then by its SHA1 (ioredis
 * keeps track, and sends it whole again to a server that has forgotten it, as after a restart).
 * `numberOfKeys` undefined: the caller passes the count first.
 */
export function defineRedisScript(
  client: RedisClient,
  name: string,
  lua: string,
  numberOfKeys?: number,
): (...args: (string | number)[]) => Promise<unknown> {
  client.defineCommand(name, numberOfKeys === undefined ? { lua } : { lua, numberOfKeys });
  const commands = client as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>;
  return (...args) => commands[name]!(...args);
}

/**
 * What a failed Redis call becomes: a fault (Redis unreachable, timed out, failing over, out of
 * memory) a `StoreUnavailableError` saying so; anything else (a bug) itself, rethrown. Either way
 * stripped of the command's arguments that ioredis attaches, which may carry a learner's words.
 */
export function redisFailure(error: unknown): Error {
  if (error instanceof StoreUnavailableError) return error;
  const label = faultLabel(error);
  const stripped = withoutArguments(error);
  if (label !== undefined) return new StoreUnavailableError(`Redis could not be reached (${label}); try again later`, stripped);
  return stripped instanceof Error ? stripped : new Error(String(stripped));
}

/** Runs a Redis call, turning its failure into what `redisFailure` says. */
export async function onRedis<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw redisFailure(error);
  }
}

const FAULT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const FAULT_CLASSES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError', 'AbortError']);
/** ioredis's own messages when it has no connection to send a command on (they name no host or data). */
const FAULT_MESSAGES =
  /^(Connection is closed|Stream isn't writeable|Cluster isn't ready|Cluster is disconnect|None of startup nodes is available|Command timed out|Socket timeout|connect ETIMEDOUT|Too many Cluster redirections|Node is disconnected|Command aborted due to connection close)/;
/**
 * Redis's replies while it cannot serve: loading, busy, failing over or moving slots, out of memory,
 * unable to persist, or refusing our credentials.
 */
const FAULT_REPLIES = /^(LOADING|BUSY|CLUSTERDOWN|TRYAGAIN|MOVED|ASK|MASTERDOWN|READONLY|OOM|MISCONF|NOREPLICAS|NOAUTH|WRONGPASS)\b/;

/** A short label for a Redis fault (never the host, URL or data); undefined for anything else. */
function faultLabel(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && FAULT_CODES.has(code)) return code;
  if (FAULT_CLASSES.has(error.name)) return error.name;
  const message = FAULT_MESSAGES.exec(error.message);
  if (message) return message[1]!.toLowerCase();
  const reply = FAULT_REPLIES.exec(error.message);
  if (error.name === 'ReplyError' && reply) return reply[1];
  return undefined;
}

function withoutArguments(error: unknown): unknown {
  const command = (error as { command?: { name?: unknown } } | null)?.command;
  if (command && typeof command === 'object') (error as { command: unknown }).command = { name: command.name };
  return error;
}
