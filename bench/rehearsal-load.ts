/**
 * `npm run bench:load`: whole scripted rehearsals over real HTTP, many learners at once, measured
 * against a bare echo bot on the same stack (restify, CloudAdapter, normal delivery mode), so the
 * figures say how much of the stack's capacity ServiceSim's own work uses. Also one long rehearsal,
 * to show whether a turn late in a rehearsal costs more than an early one.
 *
 *   npx tsx bench/rehearsal-load.ts [--json] [--seconds <per run>] [--learners 1,16,64] [--long-scenario <id>]
 *                                   [--store sqlite|redis] [--processes 1|2]
 *   npx tsx bench/rehearsal-load.ts --profile [--learners 16] [--seconds <n>] [--profile-out <file.cpuprofile>]
 *
 * ServiceSim and the echo bot run as child processes, so neither shares a CPU (or an event loop)
 * with the driver; the driver posts activities as a channel would and plays the connector the bots
 * post their replies to (`local-connector.ts`). A turn is one activity POSTed; its latency is the
 * POST's round trip, which in normal delivery mode includes posting every reply of the turn.
 * `--store redis` runs ServiceSim on a redis-server the bench starts (and stops); `--processes 2` runs
 * two ServiceSim processes on the same store, and two echo bots, each turn of a conversation going to
 * the other process than the turn before (a load balancer without affinity, the worst case for the
 * cross-process turn lease). Everything stays on 127.0.0.1. Targets are printed beside the figures; missing one is not an error,
 * but a rehearsal that did not happen (an HTTP error, no debrief card, an echo missing) exits 1.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, copyFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { eachOption } from './command-line.ts';
import { LocalConnector } from './local-connector.ts';
import { formatCpuProfileSummary, summariseCpuProfile, type Bucket, type CpuProfile, type Frame } from './cpu-profile-summary.ts';
import { LABELLED_DIR } from '../cli/labelled-set.ts';
import { median, percentile, round } from './latency-stats.ts';
import {
  activityBody,
  learnerReplies,
  readScripts,
  rehearsalSteps,
  type Conversation,
  type ScenarioScripts,
  type Step,
} from './rehearsal-script.ts';
import { makeTemporaryDir, startChild, startServiceSim, stopChild, type OnUnexpectedExit, type RunningChild } from './servicesim-child.ts';
import { startRedisServer } from '../test/redis-server.ts';
import { timedRequest, type TimedAnswer } from './timed-request.ts';

const ROOT = path.join(import.meta.dirname, '..');
/** Other work on the machine skews every figure here; the reader should know how busy it was. */
const LOAD_AVERAGE_AT_START = os.loadavg()[0]!;

const TARGETS = { ratioAt16: 0.5, p50AtOneMs: 2, lateOverEarly: 1.2 };
/** About ten learner replies per rehearsal, as the issue describes a typical one. */
const REPLIES_PER_REHEARSAL = 10;
/** The bot ends a rehearsal at 400 transcript turns (199 learner replies); stay just under it. */
const LONG_REHEARSAL_REPLIES = 195;
/** The long rehearsal's replies repeat with this period: the size of the windows it compares. */
const LONG_REPLY_CYCLE = 20;
/** Bounds on count as well as time, so a run always stops by itself. */
const MAX_REHEARSALS_PER_LEARNER = 2000;
/**
 * Each concurrency runs in slices, ServiceSim and the echo bot taking turns, so a burst of other
 * work on the machine lands on both rather than skewing their ratio.
 */
const SLICES_PER_BOT = 2;
/** Past this the bench gives up, kills its children and exits 1, whatever it was doing. */
const WATCHDOG_MS = 8 * 60_000;

const REFLECTIONS = [
  'I listened well and asked good questions, but I should have explained the options sooner.',
  'I stayed calm and kept the customer informed; next time I would check understanding earlier.',
  'Asking what happened first helped; I would summarise back to the customer more often.',
];

// ---------- options ----------

interface Options {
  json: boolean;
  seconds: number;
  learners: number[];
  profile: boolean;
  profileOut?: string;
  longScenario: string;
  store: 'sqlite' | 'redis';
  processes: number;
}

function readOptions(argv: string[]): Options {
  const options: Options = {
    json: false,
    seconds: 8,
    learners: [1, 16, 64],
    profile: false,
    longScenario: 'faulty-washing-machine',
    store: 'sqlite',
    processes: 1,
  };
  eachOption(argv, (arg, value) => {
    if (arg === '--json') options.json = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--profile-out') options.profileOut = path.resolve(value());
    else if (arg === '--seconds') options.seconds = Number(value());
    else if (arg === '--long-scenario') options.longScenario = value();
    else if (arg === '--learners') options.learners = value().split(',').map(Number);
    else if (arg === '--store') options.store = value() as Options['store'];
    else if (arg === '--processes') options.processes = Number(value());
    else
      throw new Error(
        `unknown option ${arg} (options: --json, --seconds <n>, --learners 1,16,64, --long-scenario <id>, --store sqlite|redis, --processes 1|2, --profile, --profile-out <file>)`,
      );
  });
  if (!['sqlite', 'redis'].includes(options.store)) throw new Error('--store must be sqlite or redis');
  if (![1, 2].includes(options.processes)) throw new Error('--processes must be 1 or 2');
  if (!(options.seconds > 0 && options.seconds <= 60)) throw new Error('--seconds must be between 0 and 60');
  if (options.learners.length === 0 || options.learners.some((n) => !Number.isInteger(n) || n < 1 || n > 256))
    throw new Error('--learners must be whole numbers from 1 to 256');
  if (options.profile && !argv.includes('--learners')) options.learners = [16];
  return options;
}

// ---------- child processes ----------

/** Every figure after a bot died would be connection errors: stop here (the exit handler cleans up). */
const exitMidRun =
  (name: string): OnUnexpectedExit =>
  (how, stderrTail) => {
    process.stderr.write(`bench: ${name} exited unexpectedly (${how}) mid-run\n${stderrTail.trim()}\n`);
    process.exit(1);
  };

/** The monotonic clock in µs: the one V8's profiler stamps its samples with, in every process. */
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** Rate limits off: a benchmark is exactly the flood the per-client and per-conversation limits refuse. */
function startUnlimitedServiceSim(dataDir: string, extraNodeArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunningChild> {
  return startServiceSim({ dataDir, rateLimitsOff: true, extraNodeArgs, env, onUnexpectedExit: exitMidRun('servicesim') });
}

function startEchoBot(): Promise<RunningChild> {
  return startChild(
    'echo bot',
    ['--disable-warning=DEP0111', '--import', 'tsx', 'bench/echo-bot.ts'],
    { ...process.env },
    exitMidRun('echo bot'),
  );
}

// ---------- what learners say ----------

/**
 * Rehearsal number k (over all learners) cycles through the scenarios, then through each one's
 * transcripts, so every rehearsal has the same length and both bots get exactly the same steps.
 */
function stepsOfRehearsal(scripts: ScenarioScripts[], k: number): Step[] {
  const scenario = scripts[k % scripts.length]!;
  const replies = learnerReplies(scenario.transcripts, Math.floor(k / scripts.length), REPLIES_PER_REHEARSAL);
  return rehearsalSteps(scenario.id, replies, REFLECTIONS[k % REFLECTIONS.length]!);
}

/**
 * Replies that keep a customer talking: questions and empathy from the labelled transcripts, with
 * anything that could end the conversation left out (offers, which can be accepted and then
 * confirmed; referrals; escalations; closings), and no times or amounts.
 */
function openEndedReplies(scripts: ScenarioScripts[]): string[] {
  const risky =
    /\b(refer\w*|escalat\w*|manager|supervisor|team leader|anything else|good ?bye|bye|take care|thanks for|thank you for|have a (good|nice|lovely)|call (you )?back|ring (you )?back|refund\w*|replac\w*|repair\w*|voucher|credit|discount|waiv\w*|compensat\w*|goodwill|offer\w*|I can|I.ll|I will|we can|we.ll|we will|let me|confirm\w*|is that (ok|okay|alright|all right)|does that (sound|work)|happy (with|to)|sort\w*|arrange\w*|book\w*|send|email|text you|contact|citizens advice|ombudsman|advice|helpline|number|guarantee\w*|promise\w*|cancel\w*|deliver\w*|today|tomorrow|tonight|within|hours?|days?|minutes?|approv\w*|authori[sz]\w*|policy|can.t|cannot|unable|not able|calm down|pass \w+ on)\b|£|\d/i;
  const seen = new Set<string>();
  for (const scenario of scripts) {
    for (const transcript of scenario.transcripts) {
      for (const text of transcript) {
        const keeps = text.includes('?') || /\b(sorry|understand|frustrat\w*|must be|imagine)\b/i.test(text);
        if (keeps && !risky.test(text) && text.length < 300) seen.add(text);
      }
    }
  }
  const all = [...seen];
  if (all.length < LONG_REPLY_CYCLE) throw new Error('too few open-ended learner replies in the labelled set for the long rehearsal');
  // Spread over the scenarios, and exactly one cycle long: any 20 consecutive turns then say the same
  // 20 things, so turns 5–24 and the last 20 differ in position only, not in what was read.
  const step = Math.floor(all.length / LONG_REPLY_CYCLE);
  return Array.from({ length: LONG_REPLY_CYCLE }, (_, i) => all[i * step]!);
}

// ---------- HTTP ----------

/** One keep-alive pool, as a channel would hold open connections to a bot it talks to a lot. */
let agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

const post = (port: number, body: string) => timedRequest(port, { method: 'POST', path: '/api/messages', body, agent });

// ---------- running learners ----------

interface Target {
  name: 'servicesim' | 'echo';
  /** One port per process of this bot; a conversation's turns go to each in turn. */
  ports: number[];
  pids: number[];
}

const targetOf = (name: Target['name'], children: RunningChild[]): Target => ({
  name,
  ports: children.map((c) => c.port),
  pids: children.map((c) => c.child.pid!),
});

/** The port of a conversation's `turn`th activity: with several processes, never the same one twice running. */
const portFor = (target: Target, turn: number) => target.ports[turn % target.ports.length]!;

/** CPU seconds all of a bot's processes have used. */
function cpuSecondsOfAll(pids: number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    const seconds = cpuSecondsOf(pid);
    if (seconds === undefined) return undefined;
    total += seconds;
  }
  return total;
}

/** Clock ticks per second in /proc's CPU times (USER_HZ, 100 on nearly every Linux). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds a process (all its threads) has used, from /proc: what a turn costs the server
 * whatever else the machine is doing, where turns/s depends on how much CPU it was given.
 * Undefined where there is no /proc.
 */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

interface RunStats {
  latencies: number[];
  turns: number;
  rehearsals: number;
  /** Rehearsals the customer ended before the learner typed `end` (ServiceSim only). */
  earlyEnds: number;
  failures: string[];
  failureCount: number;
  seconds: number;
  /** CPU seconds the bot's process used during the run. */
  cpuSeconds?: number;
  /** Activities the bot posted to the connector (replies, cards, typing indicators). */
  posts: number;
}

function emptyStats(): RunStats {
  return { latencies: [], turns: 0, rehearsals: 0, earlyEnds: 0, failures: [], failureCount: 0, seconds: 0, posts: 0 };
}

function mergeStats(all: RunStats[]): RunStats {
  const merged = emptyStats();
  for (const s of all) {
    merged.latencies.push(...s.latencies);
    merged.turns += s.turns;
    merged.rehearsals += s.rehearsals;
    merged.earlyEnds += s.earlyEnds;
    merged.failures.push(...s.failures.slice(0, 10 - merged.failures.length));
    merged.failureCount += s.failureCount;
    merged.seconds += s.seconds;
    merged.posts += s.posts;
    if (s.cpuSeconds !== undefined) merged.cpuSeconds = (merged.cpuSeconds ?? 0) + s.cpuSeconds;
  }
  return merged;
}

function fail(stats: RunStats, why: string): void {
  stats.failureCount += 1;
  if (stats.failures.length < 10) stats.failures.push(why);
}

async function runRehearsal(
  target: Target,
  connector: LocalConnector,
  serviceUrl: string,
  steps: Step[],
  ids: string,
  stats: RunStats,
): Promise<void> {
  const conversation: Conversation = { conversationId: `${target.name}-${ids}`, userId: `learner-${ids}`, serviceUrl, next: 1 };
  let debriefBeforeEnd = false;
  let ok = true;
  for (const [turn, step] of steps.entries()) {
    let posted: TimedAnswer;
    try {
      posted = await post(portFor(target, turn), activityBody(step, conversation));
    } catch (error) {
      fail(stats, `${conversation.conversationId}: ${(error as Error).message}`);
      ok = false;
      break;
    }
    if (posted.status !== 200) {
      fail(stats, `${conversation.conversationId}: HTTP ${posted.status} ${posted.body.slice(0, 200)}`);
      ok = false;
      break;
    }
    stats.latencies.push(posted.ms);
    stats.turns += 1;
    if (step.kind === 'message' && step.role === 'reply' && !debriefBeforeEnd)
      debriefBeforeEnd = connector.repliesTo(conversation.conversationId).debriefs > 0;
  }
  const replies = connector.repliesTo(conversation.conversationId);
  connector.forget(conversation.conversationId);
  stats.posts += replies.activities;
  if (!ok) return;
  stats.rehearsals += 1;
  if (target.name === 'echo') {
    const messages = steps.filter((s) => s.kind === 'message').length;
    if (replies.texts !== messages)
      fail(stats, `${conversation.conversationId}: echo bot answered ${replies.texts} of ${messages} messages`);
    return;
  }
  // Exactly one debrief: the learner's `end`, or the customer closing the conversation first.
  if (replies.debriefs !== 1)
    fail(
      stats,
      `${conversation.conversationId}: ${replies.debriefs} debrief cards (last text: ${JSON.stringify(replies.lastText?.slice(0, 160))})`,
    );
  if (debriefBeforeEnd) stats.earlyEnds += 1;
}

/** `learners` learners at once, each doing whole rehearsals until `seconds` are up; the last one finishes. */
async function runLoad(
  target: Target,
  connector: LocalConnector,
  serviceUrl: string,
  scripts: ScenarioScripts[],
  learners: number,
  seconds: number,
  tag: string,
): Promise<RunStats> {
  const stats = emptyStats();
  const cpuBefore = cpuSecondsOfAll(target.pids);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: learners }, async (_, learner) => {
      for (let r = 0; r < MAX_REHEARSALS_PER_LEARNER && performance.now() < deadline; r++) {
        // Rehearsal k of the whole run: learner-major within a round, so every learner plays different scenarios.
        const k = r * learners + learner;
        // A new learner and conversation per rehearsal, so every rehearsal does the same work, welcome included.
        await runRehearsal(target, connector, serviceUrl, stepsOfRehearsal(scripts, k), `${tag}-l${learner}-r${r}`, stats);
      }
    }),
  );
  stats.seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuSecondsOfAll(target.pids);
  if (cpuBefore !== undefined && cpuAfter !== undefined) stats.cpuSeconds = cpuAfter - cpuBefore;
  return stats;
}

interface LongRehearsal {
  scenario: string;
  learnerTurns: number;
  /** The learner turn after which the customer ended the conversation, when it did. */
  endedEarlyAt?: number;
  earlyMedianMs: number;
  lateMedianMs: number;
  ratio: number;
  /** The same comparison from the server's CPU time: means, as /proc counts whole ticks. */
  earlyCpuMsPerTurn?: number;
  lateCpuMsPerTurn?: number;
  cpuRatio?: number;
  failures: string[];
}

/** One learner, one rehearsal of ~195 replies: does a late turn cost more than an early one? */
async function runLongRehearsal(
  target: Target,
  connector: LocalConnector,
  serviceUrl: string,
  scenario: string,
  replies: string[],
): Promise<LongRehearsal> {
  const conversation: Conversation = { conversationId: `long-${scenario}-${Date.now()}`, userId: 'learner-long', serviceUrl, next: 1 };
  const failures: string[] = [];
  let turn = 0;
  const send = async (step: Step): Promise<TimedAnswer | undefined> => {
    try {
      const posted = await post(portFor(target, turn++), activityBody(step, conversation));
      if (posted.status === 200) return posted;
      failures.push(`HTTP ${posted.status} ${posted.body.slice(0, 200)}`);
    } catch (error) {
      failures.push((error as Error).message);
    }
    return undefined;
  };
  await send({ kind: 'welcome', label: 'welcome' });
  const beforeStart = connector.repliesTo(conversation.conversationId).activities;
  await send({ kind: 'message', label: 'start', text: `start ${scenario}`, role: 'command' });
  // The briefing card and the customer's opening line.
  if (connector.repliesTo(conversation.conversationId).activities < beforeStart + 2)
    failures.push(`no briefing and opening line after "start ${scenario}"`);
  const latencies: number[] = [];
  // The server's CPU time before each reply and after the last: a second view, immune to other load.
  const cpu: Array<number | undefined> = [cpuSecondsOfAll(target.pids)];
  let endedEarlyAt: number | undefined;
  for (let i = 0; i < LONG_REHEARSAL_REPLIES && failures.length === 0; i++) {
    const posted = await send({ kind: 'message', label: `reply ${i + 1}`, text: replies[i % replies.length]!, role: 'reply' });
    if (!posted) break;
    latencies.push(posted.ms);
    cpu.push(cpuSecondsOfAll(target.pids));
    if (connector.repliesTo(conversation.conversationId).debriefs > 0) {
      endedEarlyAt = i + 1;
      break;
    }
  }
  if (endedEarlyAt === undefined && failures.length === 0) {
    await send({ kind: 'message', label: 'end', text: 'end', role: 'command' });
    await send({ kind: 'message', label: 'reflection', text: REFLECTIONS[0]!, role: 'reflection' });
    if (connector.repliesTo(conversation.conversationId).debriefs !== 1) failures.push('no debrief card after "end"');
  }
  connector.forget(conversation.conversationId);
  const earlyMedianMs = median(latencies.slice(4, 24));
  const lateMedianMs = median(latencies.slice(-20));
  // Mean CPU ms per turn over turns 5–24 and the last 20 (/proc counts in 10 ms ticks: a mean over 20 turns, not a median).
  const cpuMsPerTurn = (from: number, to: number) => {
    const a = cpu[from];
    const b = cpu[to];
    return a === undefined || b === undefined || to <= from ? undefined : (1000 * (b - a)) / (to - from);
  };
  const earlyCpu = cpuMsPerTurn(4, Math.min(24, latencies.length));
  const lateCpu = cpuMsPerTurn(Math.max(0, latencies.length - 20), latencies.length);
  const cpuFigures =
    earlyCpu !== undefined && lateCpu !== undefined
      ? { earlyCpuMsPerTurn: round(earlyCpu), lateCpuMsPerTurn: round(lateCpu), cpuRatio: round(lateCpu / earlyCpu) }
      : {};
  return {
    scenario,
    learnerTurns: latencies.length,
    ...(endedEarlyAt !== undefined ? { endedEarlyAt } : {}),
    earlyMedianMs: round(earlyMedianMs),
    lateMedianMs: round(lateMedianMs),
    ratio: round(lateMedianMs / earlyMedianMs),
    ...cpuFigures,
    failures,
  };
}

// ---------- figures ----------

interface Figures {
  turnsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  turns: number;
  rehearsals: number;
  earlyEnds: number;
  failures: number;
  seconds: number;
  /** The bot process's CPU time per turn, all threads. */
  cpuMsPerTurn: number | null;
  /** Activities posted to the connector per turn: each one is an HTTP request through botbuilder's client. */
  postsPerTurn: number;
}

function figuresOf(stats: RunStats): Figures {
  const sorted = [...stats.latencies].sort((a, b) => a - b);
  return {
    turnsPerSecond: round(stats.turns / stats.seconds, 0),
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    turns: stats.turns,
    rehearsals: stats.rehearsals,
    earlyEnds: stats.earlyEnds,
    failures: stats.failureCount,
    seconds: round(stats.seconds),
    cpuMsPerTurn: stats.cpuSeconds !== undefined && stats.turns > 0 ? round((1000 * stats.cpuSeconds) / stats.turns) : null,
    postsPerTurn: stats.turns > 0 ? round(stats.posts / stats.turns) : 0,
  };
}

const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

// ---------- main ----------

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${WATCHDOG_MS / 60_000} minutes; giving up\n`);
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();
  const log = (line: string) => {
    if (!options.json) process.stderr.write(`${line}\n`);
  };
  const scripts = readScripts();
  if (scripts.length === 0) throw new Error(`no labelled transcripts on shipped scenarios under ${LABELLED_DIR}`);
  const work = makeTemporaryDir('servicesim-load-');
  const connector = new LocalConnector();
  const serviceUrl = await connector.listen();
  try {
    const run = { options, connector, serviceUrl, scripts, work, log };
    if (options.profile) await profile(run);
    else await measure(run);
  } finally {
    agent.destroy();
    await connector.close();
    if (connector.unexpected > 0) {
      process.stderr.write(`bench: the local connector got ${connector.unexpected} requests it did not expect\n`);
      process.exitCode = 1;
    }
  }
}

/** What a measuring or profiling run works with: the connector the bots reply to, the learners' lines, a scratch folder. */
interface Run {
  options: Options;
  connector: LocalConnector;
  serviceUrl: string;
  scripts: ScenarioScripts[];
  work: string;
  log: (line: string) => void;
}

async function measure({ options, connector, serviceUrl, scripts, work, log }: Run): Promise<void> {
  const redis = options.store === 'redis' ? await startRedisServer() : undefined;
  const env = redis ? { REDIS_URL: redis.url } : {};
  log(`starting ${options.processes} ServiceSim process${options.processes === 1 ? '' : 'es'} on ${options.store} and as many echo bots…`);
  const all = await Promise.all(
    Array.from({ length: options.processes }, () => [startUnlimitedServiceSim(path.join(work, 'data'), [], env), startEchoBot()]).flat(),
  );
  const serviceSims = all.filter((c) => c.name === 'servicesim');
  const echoes = all.filter((c) => c.name !== 'servicesim');
  try {
    const targets: Record<Target['name'], Target> = { servicesim: targetOf('servicesim', serviceSims), echo: targetOf('echo', echoes) };
    log('warming up…');
    const warmUp = [
      await runLoad(targets.servicesim, connector, serviceUrl, scripts, 4, 3, 'warm'),
      await runLoad(targets.echo, connector, serviceUrl, scripts, 4, 3, 'warm'),
    ];
    const warmUpFailures = warmUp.flatMap((s) => s.failures);
    /** ratio: ServiceSim's turns/s over the echo bot's; cpuRatio: the same from CPU per turn, as if each had a core to itself. */
    const runs: Array<{
      learners: number;
      servicesim: Figures;
      echo: Figures;
      ratio: number;
      cpuRatio: number | null;
      failures: string[];
    }> = [];
    for (const learners of options.learners) {
      const slices: Record<Target['name'], RunStats[]> = { servicesim: [], echo: [] };
      for (let slice = 0; slice < SLICES_PER_BOT; slice++) {
        for (const name of ['servicesim', 'echo'] as const) {
          log(`${learners} learner${learners === 1 ? '' : 's'}, ${name}, slice ${slice + 1} of ${SLICES_PER_BOT}…`);
          slices[name].push(
            await runLoad(
              targets[name],
              connector,
              serviceUrl,
              scripts,
              learners,
              options.seconds / SLICES_PER_BOT,
              `c${learners}-s${slice}`,
            ),
          );
        }
      }
      const s = mergeStats(slices.servicesim);
      const e = mergeStats(slices.echo);
      const servicesim = figuresOf(s);
      const echoFigures = figuresOf(e);
      const cpuRatio =
        servicesim.cpuMsPerTurn && echoFigures.cpuMsPerTurn
          ? Number((echoFigures.cpuMsPerTurn / servicesim.cpuMsPerTurn).toFixed(3))
          : null;
      runs.push({
        learners,
        servicesim,
        echo: echoFigures,
        ratio: Number((servicesim.turnsPerSecond / echoFigures.turnsPerSecond).toFixed(3)),
        cpuRatio,
        failures: [...s.failures, ...e.failures],
      });
    }
    log('long rehearsal…');
    const long = await runLongRehearsal(targets.servicesim, connector, serviceUrl, options.longScenario, openEndedReplies(scripts));

    const at16 = runs.find((r) => r.learners === 16);
    const at1 = runs.find((r) => r.learners === 1);
    const targetsReport = {
      ratioAt16: { target: `>= ${TARGETS.ratioAt16}`, value: at16?.ratio ?? null, met: at16 ? at16.ratio >= TARGETS.ratioAt16 : null },
      p50AtOneLearnerMs: {
        target: `<= ${TARGETS.p50AtOneMs}`,
        value: at1?.servicesim.p50Ms ?? null,
        met: at1 ? at1.servicesim.p50Ms <= TARGETS.p50AtOneMs : null,
      },
      lateOverEarly: {
        target: `<= ${TARGETS.lateOverEarly}`,
        value: Number(long.ratio.toFixed(2)),
        met: long.endedEarlyAt === undefined && long.ratio <= TARGETS.lateOverEarly,
      },
    };
    const failures = [...warmUpFailures, ...runs.flatMap((r) => r.failures), ...long.failures];
    // A rehearsal that did not happen makes the figures meaningless; a missed target does not.
    if (failures.length > 0) process.exitCode = 1;
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ machine: { cpus: os.cpus().length, loadAverageAtStart: LOAD_AVERAGE_AT_START, node: process.version }, secondsPerRun: options.seconds, runs: runs.map(({ failures: _, ...r }) => r), long, targets: targetsReport, failures }, null, 2)}\n`,
      );
    } else {
      const row = (cells: Array<string | number>) =>
        cells
          .map((c, i) =>
            String(c)
              .padStart(i < 2 ? 0 : 9)
              .padEnd(i < 2 ? 12 : 0),
          )
          .join(' ');
      const lines = [
        `ServiceSim under load: whole scripted rehearsals over HTTP, normal delivery mode, replies posted to a local connector.`,
        `Store: ${options.store === 'redis' ? 'Redis (a local redis-server)' : 'SQLite'}; ${options.processes} process${options.processes === 1 ? '' : 'es'} of each bot${options.processes > 1 ? ", a conversation's turns alternating between them" : ''}.`,
        `${os.cpus().length} CPUs (load average ${LOAD_AVERAGE_AT_START.toFixed(1)} before the run), node ${process.version}; ${options.seconds} s per bot per concurrency, in ${SLICES_PER_BOT} slices each, the bots taking turns.`,
        `A turn is one activity POSTed (welcome, start, ${REPLIES_PER_REHEARSAL} replies, end, reflection); CPU ms/turn is the bot process's own CPU time, whatever else the machine ran;`,
        `posts/turn counts the activities the bot posted back to the connector (messages, cards, typing).`,
        '',
        row([
          'learners',
          'bot',
          'turns/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'CPU ms/turn',
          'posts/turn',
          'turns',
          'rehearsals',
          'early end',
          'failures',
        ]),
      ];
      for (const r of runs) {
        for (const [name, f] of [
          ['servicesim', r.servicesim],
          ['echo', r.echo],
        ] as const) {
          lines.push(
            row([
              String(r.learners),
              name,
              f.turnsPerSecond,
              f.p50Ms.toFixed(2),
              f.p95Ms.toFixed(2),
              f.p99Ms.toFixed(2),
              f.cpuMsPerTurn?.toFixed(2) ?? '-',
              f.postsPerTurn.toFixed(2),
              f.turns,
              f.rehearsals,
              name === 'echo' ? '-' : f.earlyEnds,
              f.failures,
            ]),
          );
        }
        lines.push(
          `${''.padEnd(12)} ServiceSim throughput / echo bot's: ${r.ratio.toFixed(2)} (from CPU per turn: ${r.cpuRatio?.toFixed(2) ?? 'n/a'})`,
        );
      }
      lines.push('');
      lines.push(
        long.endedEarlyAt !== undefined
          ? `Long rehearsal (${long.scenario}): the customer ended it after learner turn ${long.endedEarlyAt}, so the late/early figure is not meaningful.`
          : `Long rehearsal (${long.scenario}, ${long.learnerTurns} learner turns): median of turns 5–24 ${long.earlyMedianMs.toFixed(2)} ms, of the last 20 ${long.lateMedianMs.toFixed(2)} ms: late/early ${long.ratio.toFixed(2)}.${long.cpuRatio === undefined ? '' : ` Server CPU per turn (means): ${long.earlyCpuMsPerTurn} ms, ${long.lateCpuMsPerTurn} ms: late/early ${long.cpuRatio.toFixed(2)}.`}`,
      );
      lines.push('');
      lines.push('Targets:');
      lines.push(
        `  throughput ratio at 16 learners ${targetsReport.ratioAt16.target}: ${targetsReport.ratioAt16.value ?? 'not run'} ${targetsReport.ratioAt16.met === null ? '' : verdict(targetsReport.ratioAt16.met)}`,
      );
      lines.push(
        `  p50 at one learner ${targetsReport.p50AtOneLearnerMs.target} ms: ${targetsReport.p50AtOneLearnerMs.value ?? 'not run'} ${targetsReport.p50AtOneLearnerMs.met === null ? '' : verdict(targetsReport.p50AtOneLearnerMs.met)}`,
      );
      lines.push(
        `  long rehearsal late/early ${targetsReport.lateOverEarly.target}: ${targetsReport.lateOverEarly.value} ${verdict(targetsReport.lateOverEarly.met)}`,
      );
      if (failures.length > 0) lines.push('', `Failures (first ${failures.length}):`, ...failures.map((f) => `  ${f}`));
      process.stdout.write(`${lines.join('\n')}\n`);
    }
  } finally {
    await Promise.all(all.map((c) => stopChild(c)));
    await redis?.stop();
  }
}

const on = (stack: readonly Frame[], file: RegExp, fn?: string) =>
  stack.some((f) => file.test(f.file) && (fn === undefined || f.fn === fn));

/**
 * The questions a profile of ServiceSim should answer, as buckets: a sample counts in the first one
 * whose rule matches its stack, so the shares add up. Rules name today's functions and files; after
 * a refactor an unmatched sample lands in a later bucket or "other", never in two.
 */
const SERVICESIM_BUCKETS: Bucket[] = [
  { name: 'garbage collection', matches: (s) => s[0]?.fn === '(garbage collector)' },
  { name: 'structuredClone (rehearsal snapshot and restore)', matches: (s) => s.some((f) => f.fn === 'structuredClone') },
  { name: 'logging (pino)', matches: (s) => on(s, /^npm:(pino|sonic-boom)\//) },
  {
    name: 'debrief at the end: score, card, evidence',
    matches: (s) => on(s, /^dialogs\/rehearsal-dialog\.ts$/, 'finish') || on(s, /debrief/),
  },
  { name: 'Rehearsal.restore: re-reading earlier turns', matches: (s) => on(s, /^engine\/rehearsal\.ts$/, 'restore') },
  {
    name: 'scoring the whole rehearsal for the practice hint',
    matches: (s) =>
      on(s, /^engine\/rehearsal\.ts$/, 'score') ||
      on(s, /^engine\/(coaching-hint|scorer|rules-scorer|dimension-judges|authority-breaches)\.ts$/),
  },
  { name: "the scripted customer's reply", matches: (s) => on(s, /^engine\/(scripted-customer|customer|customer-lines)\.ts$/) },
  {
    name: 'reading the new reply (wink-nlp, reading rules) and the rest of engine/',
    matches: (s) => on(s, /^engine\/rehearsal\.ts$/, 'learnerSays') || on(s, /^engine\//) || on(s, /^npm:wink-/),
  },
  {
    name: 'bot state and evidence: BotState, the turn lease, SQLite or Redis',
    matches: (s) =>
      on(s, /^store\//) ||
      on(s, /^npm:(better-sqlite3|ioredis|@ioredis|redis-parser)\//) ||
      on(s, /^node:internal\/fs\//) ||
      on(s, /^bot\/bot-storage\.ts$/) ||
      on(s, /^npm:botbuilder-core\/lib\/(botState|botStatePropertyAccessor|storage)\.js$/),
  },
  {
    name: 'posting replies to the connector (botframework-connector, Azure HTTP client)',
    matches: (s) =>
      on(s, /^npm:(botframework-connector|@azure|@typespec)\//) ||
      on(s, /cloudAdapterBase\.js$/, 'sendActivities') ||
      on(s, /^node:_http_client$/),
  },
  {
    name: 'JSON stringify/parse (elsewhere)',
    matches: (s) =>
      (s[0]?.file === '(native)' && (s[0].fn === 'stringify' || s[0].fn === 'parse')) ||
      on(s, /^npm:botbuilder-stdlib\/lib\/stringify\.js$/),
  },
  {
    name: 'receiving the turn: restify, CloudAdapter, dialogs, our bot/ and dialogs/',
    matches: (s) =>
      on(s, /^npm:(restify|botbuilder|botbuilder-core|botbuilder-dialogs|find-my-way|zod)\//) ||
      on(s, /^(bot|dialogs)\//) ||
      on(s, /^node:_http_server$/),
  },
  {
    name: 'node internals not traced to any of the above (socket writes, streams, timers)',
    matches: (s) => s[0] !== undefined && (s[0].file.startsWith('node:') || s[0].file === '(native)'),
  },
];

/**
 * ServiceSim alone, under V8's sampling profiler, at the first --learners count (16 by default).
 * The profile is written when the server exits after SIGTERM; only the samples taken during the
 * measured load are summarised (the profiler stamps them with the same monotonic clock as ours).
 */
async function profile({ options, connector, serviceUrl, scripts, work, log }: Run): Promise<void> {
  const profileDir = path.join(work, 'profile');
  mkdirSync(profileDir);
  const learners = options.learners[0]!;
  log(`starting ServiceSim under --cpu-prof…`);
  const serviceSim = await startUnlimitedServiceSim(path.join(work, 'data'), [
    '--cpu-prof',
    '--cpu-prof-dir',
    profileDir,
    '--cpu-prof-interval',
    '250',
  ]);
  const target = targetOf('servicesim', [serviceSim]);
  let window: { fromUs: number; toUs: number };
  let stats: RunStats;
  try {
    log('warming up…');
    await runLoad(target, connector, serviceUrl, scripts, 4, 3, 'warm');
    log(`${learners} learners for ${options.seconds} s…`);
    const fromUs = nowUs();
    stats = await runLoad(target, connector, serviceUrl, scripts, learners, options.seconds, `p${learners}`);
    window = { fromUs, toUs: nowUs() };
    // Idle keep-alive sockets would hold server.close() open; the server must exit to write its profile.
    agent.destroy();
    agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  } finally {
    await stopChild(serviceSim);
  }
  // tsx's loader hooks run on a thread of their own, which writes a profile too: the main thread's is thread 0.
  const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile') && f.split('.').at(-3) === '0');
  if (files.length === 0)
    throw new Error(`ServiceSim exited (${serviceSim.child.signalCode ?? serviceSim.child.exitCode}) without writing a CPU profile`);
  const file = path.join(profileDir, files[0]!);
  if (options.profileOut) copyFileSync(file, options.profileOut);
  const cpuProfile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const summary = summariseCpuProfile(cpuProfile, { ...window, root: ROOT, buckets: SERVICESIM_BUCKETS });
  const figures = figuresOf(stats);
  if (stats.failureCount > 0) process.exitCode = 1;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ learners, figures, failures: stats.failures, summary }, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `ServiceSim profiled at ${learners} learners for ${options.seconds} s: ${figures.turnsPerSecond} turns/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ${figures.cpuMsPerTurn ?? '?'} CPU ms and ${figures.postsPerTurn} posts to the connector per turn, ${figures.rehearsals} rehearsals, ${figures.failures} failures (the profiler slows it).\n`,
  );
  if (options.profileOut) process.stdout.write(`Profile kept at ${options.profileOut} (open it in Chrome DevTools' Performance panel).\n`);
  if (stats.failures.length > 0)
    process.stdout.write(`Failures (first ${stats.failures.length}):\n${stats.failures.map((f) => `  ${f}\n`).join('')}`);
  process.stdout.write(`${formatCpuProfileSummary(summary, { turns: stats.turns })}\n`);
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    // Children and the temp folder go in the exit handler; nothing else should keep the process up.
    process.exit();
  });
