/**
 * Hardening the HTTP edge: do stalled connections stop a normal rehearsal? A bounded load test, in
 * the benchmarks (never the unit suite).
 *
 *   npx tsx bench/stalled-connections.ts [--json] [--connections 1000] [--hold <seconds>] [--same-address] [--scenario <id>]
 *
 * ServiceSim runs as a child process (`servicesim serve --port 0`, files under a temporary DATA_DIR),
 * with a local connector for its replies, as in `rehearsal-load.ts`. After one warm-up rehearsal,
 * the bench opens N stalled connections (default 1,000), all from 127.0.0.1, of five kinds:
 *
 *   silent           connects and sends nothing;
 *   slow-headers     slowloris: a partial request (line and some headers), then one header byte every few seconds;
 *   slow-body        full headers for POST /api/messages with a 1 MB Content-Length, then one body byte every few seconds;
 *   stopped-body     the same headers and 4 KB of the body, then nothing;
 *   idle-keep-alive  one GET /healthz answered, then the connection left open and idle.
 *
 * While they are held (and re-trickled) it runs one whole rehearsal over HTTP (welcome, `start`,
 * eight learner replies from the labelled transcripts, `end`, a reflection), timing each turn, and
 * checks that the debrief card reached the connector; and GETs /healthz. By default the rehearsal
 * comes from another loopback address (127.0.0.2), as a real learner's channel would, so a
 * per-client connection cap does not turn the test into "the attacker blocked himself";
 * `--same-address` sends it from 127.0.0.1, the stalled sockets' own address. /healthz is asked from
 * both either way. The sockets are held for `--hold` seconds (default 95: long enough to see Node's
 * own 60 s headers timeout, which is checked every 30 s), and the bench reports which of them the
 * server closed, how (a 408, a bare FIN, a reset) and after how long, per kind.
 *
 * Exit code 1 only when the rehearsal failed (or could not be run at all) or the server died;
 * closures are reported, never judged. Everything stays on loopback, is bounded in count and time,
 * and is closed, stopped and removed at the end (or by the exit handler and a watchdog).
 */
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { percentile, round } from './latency-stats.ts';
import { eachOption } from './command-line.ts';
import { LocalConnector } from './local-connector.ts';
import { activityBody, learnerReplies, readScripts, rehearsalSteps, type Conversation, type Step } from './rehearsal-script.ts';
import { isRunning, makeTemporaryDir, removeTemporaryDir, startServiceSim, stopChild, type RunningChild } from './servicesim-child.ts';
import { timedRequest } from './timed-request.ts';

const LOAD_AVERAGE_AT_START = os.loadavg()[0]!;

/** The stalled sockets' own address, and the other one the rehearsal comes from by default. */
const STALLED_FROM = '127.0.0.1';
const OTHER_CLIENT = '127.0.0.2';

const LEARNER_REPLIES = 8;
const REFLECTION = 'I stayed calm and kept the customer informed; next time I would check understanding earlier.';

/** One trickled byte per socket every this many ms (each socket jittered ±20 %, so writes spread out). */
const TRICKLE_MS = 3000;
/** Connections being opened at once: a burst, but within the listen backlog. */
const OPEN_CONCURRENCY = 64;
const CONNECT_TIMEOUT_MS = 10_000;
/** A large declared body, still under the server's 2 MB limit, so it is read rather than refused at once. */
const DECLARED_BODY_BYTES = 1_000_000;
const STOPPED_BODY_SENT = 4096;
/** File descriptors left for everything else: the connector, the rehearsal, files, the server's own. */
const MIN_FD_HEADROOM = 256;

const KINDS = ['silent', 'slow-headers', 'slow-body', 'stopped-body', 'idle-keep-alive'] as const;
type Kind = (typeof KINDS)[number];
/** Mixed proportions, in percent; interleaved, so every stretch of the opening order holds every kind. */
const KIND_WEIGHTS: Record<Kind, number> = { silent: 20, 'slow-headers': 25, 'slow-body': 20, 'stopped-body': 15, 'idle-keep-alive': 20 };

// ---------- options ----------

interface Options {
  json: boolean;
  connections: number;
  holdSeconds: number;
  sameAddress: boolean;
  scenario: string;
}

function readOptions(argv: string[]): Options {
  const options: Options = { json: false, connections: 1000, holdSeconds: 95, sameAddress: false, scenario: 'faulty-washing-machine' };
  eachOption(argv, (arg, value) => {
    if (arg === '--json') options.json = true;
    else if (arg === '--connections') options.connections = Number(value());
    else if (arg === '--hold') options.holdSeconds = Number(value());
    else if (arg === '--same-address') options.sameAddress = true;
    else if (arg === '--scenario') options.scenario = value();
    else throw new Error(`unknown option ${arg} (options: --json, --connections <n>, --hold <seconds>, --same-address, --scenario <id>)`);
  });
  if (!Number.isInteger(options.connections) || options.connections < 1 || options.connections > 50_000)
    throw new Error('--connections must be a whole number from 1 to 50000');
  if (!(options.holdSeconds >= 5 && options.holdSeconds <= 600)) throw new Error('--hold must be between 5 and 600 seconds');
  return options;
}

/** The soft limit on open files (`ulimit -n`), from /proc; undefined when unlimited or unknown. */
function openFilesLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/** How many local ports one client address can use towards one server port. */
function ephemeralPorts(): number | undefined {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low !== undefined && high !== undefined ? high - low + 1 : undefined;
  } catch {
    return undefined;
  }
}

// ---------- the child process ----------

let server: RunningChild | undefined;
let serverDiedAt: { at: number; how: string } | undefined;

/** Unlike the load bench, a death mid-run is not fatal at once: it is the finding, and the report says so. */
const recordDeath = (how: string) => {
  serverDiedAt = { at: performance.now(), how };
};

const serverAlive = () => server !== undefined && isRunning(server.child) && !serverDiedAt;

/** The server's open file descriptors and resident memory, from /proc (undefined where there is none). */
function serverResources(pid: number): { fds?: number; rssMb?: number } {
  const out: { fds?: number; rssMb?: number } = {};
  try {
    out.fds = readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    // no /proc, or the process is gone
  }
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    if (kb) out.rssMb = Math.round(Number(kb) / 1024);
  } catch {
    // likewise
  }
  return out;
}

// ---------- stalled connections ----------

interface Stalled {
  id: number;
  kind: Kind;
  socket: net.Socket;
  /** When the socket connected. */
  connectedAt?: number;
  /** When it began to stall: at connect, or once the keep-alive socket's one answer was read. */
  stallingSince?: number;
  /** The server ended it: when, how, and what it said first (a status line, say), if anything. */
  closedAt?: number;
  closedHow?: 'fin' | 'reset' | 'error';
  errorCode?: string;
  reply: string;
  /** Bytes still to trickle, and when the next one goes. */
  pending: Buffer;
  nextWriteAt: number;
  /** The bench is closing it: whatever happens next is not the server's doing. */
  ours: boolean;
  /** Could not be opened at all (refused, timed out). */
  openFailed?: string;
}

const jitter = () => TRICKLE_MS * (0.8 + Math.random() * 0.4);

/** Header bytes that never finish a header block: `X-Slow-<k>: aaaa…\r\n`, repeated, never an empty line. */
function endlessHeaders(bytes: number): Buffer {
  let text = '';
  for (let k = 0; text.length < bytes; k++) text += `X-Slow-${k}: ${'a'.repeat(24)}\r\n`;
  return Buffer.from(text.slice(0, bytes), 'latin1');
}

function requestHead(kind: Kind, port: number): string {
  const host = `Host: 127.0.0.1:${port}\r\n`;
  if (kind === 'slow-headers') return `POST /api/messages HTTP/1.1\r\n${host}Content-Type: application/json\r\n`;
  if (kind === 'slow-body' || kind === 'stopped-body')
    return `POST /api/messages HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: ${DECLARED_BODY_BYTES}\r\n\r\n`;
  if (kind === 'idle-keep-alive') return `GET /healthz HTTP/1.1\r\n${host}Connection: keep-alive\r\n\r\n`;
  return '';
}

/** Has `data` a whole HTTP response (headers and a Content-Length body)? */
function wholeResponse(data: string): boolean {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(data.slice(0, end))?.[1];
  return length === undefined || Buffer.byteLength(data.slice(end + 4), 'latin1') >= Number(length);
}

function openStalled(id: number, kind: Kind, port: number): Promise<Stalled> {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress: STALLED_FROM });
  socket.setNoDelay(true);
  const s: Stalled = { id, kind, socket, reply: '', pending: Buffer.alloc(0), nextWriteAt: Infinity, ours: false };
  let answered = '';
  return new Promise((resolve) => {
    let settled = false;
    const settle = (why?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (why !== undefined && s.connectedAt === undefined) s.openFailed = why;
      resolve(s);
    };
    const timer = setTimeout(() => {
      if (s.connectedAt === undefined) {
        s.ours = true;
        socket.destroy();
        settle(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s`);
      } else settle(); // connected, but the keep-alive answer never came: it stays, stalled from now on
      if (s.stallingSince === undefined && s.connectedAt !== undefined) s.stallingSince = performance.now();
    }, CONNECT_TIMEOUT_MS);
    const closedByServer = (how: 'fin' | 'reset' | 'error', code?: string) => {
      if (s.ours || s.closedAt !== undefined) return;
      s.closedAt = performance.now();
      s.closedHow = how;
      if (code) s.errorCode = code;
      s.nextWriteAt = Infinity;
      settle(how === 'error' ? code : undefined);
    };
    socket.on('data', (chunk: Buffer) => {
      if (kind === 'idle-keep-alive' && s.stallingSince === undefined) {
        answered += chunk.toString('latin1');
        if (wholeResponse(answered)) {
          s.stallingSince = performance.now();
          settle();
        }
        return;
      }
      if (s.reply.length < 200) s.reply += chunk.toString('latin1').slice(0, 200 - s.reply.length);
    });
    socket.on('end', () => closedByServer('fin'));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      closedByServer(error.code === 'ECONNRESET' || error.code === 'EPIPE' ? 'reset' : 'error', error.code),
    );
    socket.on('close', () => closedByServer('fin'));
    socket.once('connect', () => {
      s.connectedAt = performance.now();
      const head = requestHead(kind, port);
      if (kind === 'slow-headers') {
        socket.write(head);
        s.pending = endlessHeaders(4096);
      } else if (kind === 'slow-body') {
        socket.write(`${head}{`);
        s.pending = Buffer.alloc(DECLARED_BODY_BYTES - 1, ' ');
      } else if (kind === 'stopped-body') {
        socket.write(head + `{"type":"message","text":"${'x'.repeat(STOPPED_BODY_SENT - 30)}`);
      } else if (kind === 'idle-keep-alive') {
        socket.write(head);
        return; // settles once the answer has been read
      }
      if (s.pending.length > 0) s.nextWriteAt = performance.now() + jitter();
      s.stallingSince = s.connectedAt;
      settle();
    });
  });
}

/** One byte each for the trickling sockets whose turn has come. One timer for all of them. */
function trickle(all: Stalled[]): void {
  const now = performance.now();
  for (const s of all) {
    if (s.nextWriteAt > now || s.closedAt !== undefined || s.ours || s.socket.destroyed) continue;
    if (s.pending.length === 0) {
      s.nextWriteAt = Infinity;
      continue;
    }
    s.socket.write(s.pending.subarray(0, 1));
    s.pending = s.pending.subarray(1);
    s.nextWriteAt = now + jitter();
  }
}

/** Opens them into `all` (which the trickle timer walks meanwhile), OPEN_CONCURRENCY at a time. */
async function openAll(all: Stalled[], count: number, port: number, log: (line: string) => void): Promise<void> {
  const weights = KINDS.map((k) => KIND_WEIGHTS[k]);
  const total = weights.reduce((a, b) => a + b, 0);
  // Weighted interleave: the i-th socket is of the kind furthest behind its share so far.
  const given = KINDS.map(() => 0);
  const kinds: Kind[] = [];
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let k = 1; k < KINDS.length; k++)
      if ((i + 1) * (weights[k]! / total) - given[k]! > (i + 1) * (weights[best]! / total) - given[best]!) best = k;
    given[best]! += 1;
    kinds.push(KINDS[best]!);
  }
  let next = 0;
  let opened = 0;
  await Promise.all(
    Array.from({ length: Math.min(OPEN_CONCURRENCY, count) }, async () => {
      while (next < count) {
        const i = next++;
        all.push(await openStalled(i, kinds[i]!, port));
        opened += 1;
        if (opened % 250 === 0) log(`  ${opened} of ${count} opened`);
      }
    }),
  );
}

// ---------- one rehearsal over HTTP ----------

function stepsOfRehearsal(scenario: string): Step[] {
  const script = readScripts().find((s) => s.id === scenario);
  if (!script) throw new Error(`no shipped scenario "${scenario}" with labelled transcripts`);
  return rehearsalSteps(scenario, learnerReplies(script.transcripts, 0, LEARNER_REPLIES), REFLECTION);
}

interface HealthCheck {
  from: string;
  when: string;
  ok: boolean;
  ms?: number;
  error?: string;
}

async function healthz(port: number, from: string, when: string): Promise<HealthCheck> {
  try {
    const answer = await timedRequest(port, { method: 'GET', path: '/healthz', localAddress: from });
    return { from, when, ok: answer.status === 200, ms: round(answer.ms) };
  } catch (error) {
    return { from, when, ok: false, error: (error as Error).message };
  }
}

interface RehearsalResult {
  from: string;
  completed: boolean;
  debriefs: number;
  turns: Array<{ label: string; ms: number; status: number }>;
  p50Ms?: number;
  maxMs?: number;
  seconds: number;
  failure?: string;
}

async function rehearse(
  port: number,
  from: string,
  connector: LocalConnector,
  serviceUrl: string,
  steps: Step[],
  tag: string,
): Promise<RehearsalResult> {
  const conversation: Conversation = { conversationId: `stalled-${tag}-${Date.now()}`, userId: `learner-${tag}`, serviceUrl, next: 1 };
  // A keep-alive pool of its own, as a channel holds connections to a bot it talks to a lot.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const turns: RehearsalResult['turns'] = [];
  const started = performance.now();
  let failure: string | undefined;
  try {
    for (const step of steps) {
      try {
        const body = activityBody(step, conversation);
        const answer = await timedRequest(port, { method: 'POST', path: '/api/messages', body, agent, localAddress: from });
        turns.push({ label: step.label, ms: round(answer.ms), status: answer.status });
        if (answer.status !== 200) {
          failure = `${step.label}: HTTP ${answer.status} ${answer.body.slice(0, 160)}`;
          break;
        }
      } catch (error) {
        failure = `${step.label}: ${(error as Error).message}`;
        break;
      }
    }
  } finally {
    agent.destroy();
  }
  const replies = connector.repliesTo(conversation.conversationId);
  connector.forget(conversation.conversationId);
  if (!failure && replies.debriefs !== 1)
    failure = `${replies.debriefs} debrief cards at the connector (last text: ${JSON.stringify(replies.lastText?.slice(0, 160))})`;
  const sorted = turns.map((t) => t.ms).sort((a, b) => a - b);
  return {
    from,
    completed: failure === undefined,
    debriefs: replies.debriefs,
    turns,
    ...(sorted.length > 0 ? { p50Ms: percentile(sorted, 50), maxMs: sorted.at(-1)! } : {}),
    seconds: round((performance.now() - started) / 1000),
    ...(failure ? { failure } : {}),
  };
}

// ---------- figures ----------

interface KindReport {
  kind: Kind;
  opened: number;
  /** Refused or timed out before they connected. */
  failedToOpen: number;
  /** Closed by the server before they began to stall (a keep-alive socket whose one answer never came, say). */
  closedWhileOpening: number;
  closedByServer: number;
  /** Of those, closed within a second of stalling: refused at once (a connection cap), not timed out. */
  closedWithinOneSecond: number;
  /** Seconds from when each began to stall until the server closed it. */
  closedAfterSeconds?: { min: number; p50: number; max: number };
  /** How: `408` and the like (the server answered, then closed), `fin` (closed without a word), `reset`. */
  how: Record<string, number>;
  stillOpenAtEnd: number;
}

function reportKinds(all: Stalled[]): KindReport[] {
  return KINDS.map((kind) => {
    const mine = all.filter((s) => s.kind === kind);
    const closed = mine.filter((s) => s.closedAt !== undefined && s.stallingSince !== undefined && s.closedAt >= s.stallingSince);
    const after = closed.map((s) => (s.closedAt! - s.stallingSince!) / 1000).sort((a, b) => a - b);
    const how: Record<string, number> = {};
    for (const s of closed) {
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(s.reply)?.[1];
      const key = status ? `${status} then ${s.closedHow}` : s.closedHow === 'error' ? `error ${s.errorCode}` : s.closedHow!;
      how[key] = (how[key] ?? 0) + 1;
    }
    return {
      kind,
      opened: mine.filter((s) => s.connectedAt !== undefined).length,
      failedToOpen: mine.filter((s) => s.openFailed !== undefined).length,
      closedWhileOpening: mine.filter(
        (s) => s.openFailed === undefined && s.closedAt !== undefined && (s.stallingSince === undefined || s.closedAt < s.stallingSince),
      ).length,
      closedByServer: closed.length,
      closedWithinOneSecond: after.filter((t) => t < 1).length,
      ...(after.length > 0
        ? { closedAfterSeconds: { min: round(after[0]!, 1), p50: round(percentile(after, 50), 1), max: round(after.at(-1)!, 1) } }
        : {}),
      how,
      stillOpenAtEnd: mine.filter((s) => s.connectedAt !== undefined && s.closedAt === undefined).length,
    };
  });
}

// ---------- the run ----------

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const rehearsalFrom = options.sameAddress ? STALLED_FROM : OTHER_CLIENT;

  // Both processes hold one descriptor per stalled connection (the server inherits this limit).
  const fdLimit = openFilesLimit();
  const ports = ephemeralPorts();
  const fdCap = fdLimit === undefined ? Infinity : fdLimit - Math.max(MIN_FD_HEADROOM, Math.ceil(fdLimit * 0.1));
  const portCap = ports === undefined ? Infinity : ports - 1000;
  const connections = Math.max(0, Math.min(options.connections, fdCap, portCap));
  const limits = `open-file limit (ulimit -n) ${fdLimit ?? 'unlimited/unknown'}, ${ports ?? 'unknown'} ephemeral ports: at most ${Number.isFinite(Math.min(fdCap, portCap)) ? Math.min(fdCap, portCap) : 'any number of'} stalled connections, ${connections} used${connections < options.connections ? ` (capped from ${options.connections})` : ''}`;
  log(limits);
  if (connections < 1) throw new Error('no room for any stalled connection under these limits');

  const watchdogMs = (options.holdSeconds + 300) * 1000;
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${watchdogMs / 1000} s, giving up\n`);
    process.exit(1);
  }, watchdogMs);
  watchdog.unref();

  const work = makeTemporaryDir('servicesim-stalled-');
  const steps = stepsOfRehearsal(options.scenario);
  const connector = new LocalConnector();
  const serviceUrl = await connector.listen();
  log('starting ServiceSim…');
  // The rate limits stay as configured: they are part of the edge whose hardening this measures.
  const running = await startServiceSim({ dataDir: path.join(work, 'data'), onUnexpectedExit: recordDeath });
  server = running;
  const { port } = running;
  const pid = running.child.pid!;
  const health: HealthCheck[] = [];
  const stalled: Stalled[] = [];
  let ticker: NodeJS.Timeout | undefined;
  try {
    health.push(await healthz(port, rehearsalFrom, 'before'));
    log('warm-up rehearsal, no stalled connections…');
    const baseline = await rehearse(port, rehearsalFrom, connector, serviceUrl, steps, 'baseline');
    const before = serverResources(pid);

    log(`opening ${connections} stalled connections from ${STALLED_FROM}…`);
    const openStarted = performance.now();
    ticker = setInterval(() => trickle(stalled), 200);
    await openAll(stalled, connections, port, log);
    const allOpenAt = performance.now();
    const openSeconds = round((allOpenAt - openStarted) / 1000, 1);
    const held = serverResources(pid);

    for (const from of new Set([STALLED_FROM, rehearsalFrom])) health.push(await healthz(port, from, 'stalled'));
    log(`rehearsal from ${rehearsalFrom} while they are held…`);
    const openDuringRehearsal = stalled.filter((s) => s.connectedAt !== undefined && s.closedAt === undefined).length;
    const rehearsal = serverAlive()
      ? await rehearse(port, rehearsalFrom, connector, serviceUrl, steps, 'stalled')
      : { from: rehearsalFrom, completed: false, debriefs: 0, turns: [], seconds: 0, failure: 'the server had died' };

    // Held until --hold seconds after the last one opened, trickling all the while; the server may close them.
    const holdUntil = allOpenAt + options.holdSeconds * 1000;
    const timeline: Array<{ seconds: number; open: number }> = [];
    while (performance.now() < holdUntil && serverAlive()) {
      timeline.push({
        seconds: round((performance.now() - allOpenAt) / 1000, 0),
        open: stalled.filter((s) => s.connectedAt !== undefined && s.closedAt === undefined).length,
      });
      const left = holdUntil - performance.now();
      if (timeline.length % 3 === 1)
        log(`  ${timeline.at(-1)!.open} stalled connections open at ${timeline.at(-1)!.seconds} s (${Math.ceil(left / 1000)} s to go)`);
      await sleep(Math.min(10_000, left));
    }
    const atEnd = serverResources(pid);
    for (const from of new Set([STALLED_FROM, rehearsalFrom])) health.push(await healthz(port, from, 'end of hold'));
    const stayedUp = serverAlive();
    const kinds = reportKinds(stalled);

    // Close everything: ours from here on, whatever the server does.
    clearInterval(ticker);
    ticker = undefined;
    for (const s of stalled) {
      s.ours = true;
      s.socket.destroy();
    }

    const pass = rehearsal.completed && stayedUp && baseline.completed;
    const report = {
      pass,
      machine: { cpus: os.cpus().length, loadAverageAtStart: round(LOAD_AVERAGE_AT_START), node: process.version },
      limits: { openFiles: fdLimit ?? null, ephemeralPorts: ports ?? null, requested: options.connections, used: connections },
      stalledFrom: STALLED_FROM,
      holdSeconds: options.holdSeconds,
      openSeconds,
      openDuringRehearsal,
      baseline,
      rehearsal,
      health,
      server: {
        stayedUp,
        ...(serverDiedAt ? { died: serverDiedAt.how, diedAfterSeconds: round((serverDiedAt.at - openStarted) / 1000, 1) } : {}),
        beforeStalling: before,
        allOpen: held,
        endOfHold: atEnd,
      },
      kinds,
      timeline,
    };

    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const ms = (r: RehearsalResult) =>
        r.p50Ms === undefined ? 'no turns' : `p50 ${r.p50Ms} ms, max ${r.maxMs} ms over ${r.turns.length} turns`;
      const lines = [
        `ServiceSim with stalled connections: ${connections} from ${STALLED_FROM}, held ${options.holdSeconds} s; one rehearsal from ${rehearsalFrom} while they were held.`,
        `${report.machine.cpus} CPUs (load average ${report.machine.loadAverageAtStart} before the run), node ${process.version}; ${limits}.`,
        '',
        `warm-up rehearsal (nothing stalled): ${baseline.completed ? 'completed' : `FAILED (${baseline.failure})`}, ${ms(baseline)}`,
        `rehearsal under stall (${openDuringRehearsal} stalled open when it began): ${rehearsal.completed ? `completed, debrief card received` : `FAILED (${rehearsal.failure})`}, ${ms(rehearsal)}, ${rehearsal.seconds} s in all`,
        `  turns ms: ${rehearsal.turns.map((t) => `${t.label} ${t.ms}`).join(', ')}`,
        `healthz: ${health.map((h) => `${h.when} from ${h.from} ${h.ok ? `${h.ms} ms` : `FAILED (${h.error ?? 'not 200'})`}`).join('; ')}`,
        `server: ${stayedUp ? 'stayed up' : `DIED (${serverDiedAt?.how ?? 'unknown'})`}; fds ${before.fds ?? '?'} → ${held.fds ?? '?'} with all open → ${atEnd.fds ?? '?'} at the end; RSS ${before.rssMb ?? '?'} → ${held.rssMb ?? '?'} → ${atEnd.rssMb ?? '?'} MB; ${connections} opened in ${openSeconds} s`,
        '',
        `${'kind'.padEnd(16)} ${'opened'.padStart(6)} ${'not opened'.padStart(10)} ${'closed'.padStart(6)} ${'<1s'.padStart(5)} ${'after s (min/p50/max)'.padStart(22)}  ${'still open'.padStart(10)}  how`,
        ...kinds.map(
          (k) =>
            `${k.kind.padEnd(16)} ${String(k.opened).padStart(6)} ${String(k.failedToOpen + k.closedWhileOpening).padStart(10)} ${String(k.closedByServer).padStart(6)} ${String(k.closedWithinOneSecond).padStart(5)} ${(k.closedAfterSeconds ? `${k.closedAfterSeconds.min} / ${k.closedAfterSeconds.p50} / ${k.closedAfterSeconds.max}` : '-').padStart(22)}  ${String(k.stillOpenAtEnd).padStart(10)}  ${
              Object.entries(k.how)
                .map(([h, n]) => `${h} ×${n}`)
                .join(', ') || '-'
            }`,
        ),
        `(closed = by the server, counted from when each began to stall: at connect, or after its one answer for idle-keep-alive; not opened = refused, timed out or closed before it could stall)`,
        `open over time: ${timeline.map((t) => `${t.seconds}s ${t.open}`).join(', ')}`,
        '',
        `${pass ? 'PASS' : 'FAIL'}: ${rehearsal.completed ? 'the rehearsal completed' : 'the rehearsal did not complete'} while ${openDuringRehearsal} stalled connections were open, and the server ${stayedUp ? 'stayed up' : 'died'}.`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (!pass) process.exitCode = 1;
  } finally {
    if (ticker) clearInterval(ticker);
    for (const s of stalled) {
      s.ours = true;
      s.socket.destroy();
    }
    await stopChild(running);
    await connector.close();
    removeTemporaryDir(work);
    clearTimeout(watchdog);
  }
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.stdout.write('FAIL: the bench could not run (see above)\n');
    process.exitCode = 1;
  })
  .finally(() => {
    // The child and the temp folder go in the exit handler if they are still there; nothing else should keep us up.
    process.exit();
  });
