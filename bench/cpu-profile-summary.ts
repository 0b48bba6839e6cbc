/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and says where the time went: self time by function
 * and by file or package, inclusive time by function and by file, and GC and idle. Used by
 * `rehearsal-load.ts --profile`, and on its own:
 *
 *   npx tsx bench/cpu-profile-summary.ts <file.cpuprofile> [--top <n>] [--skip-ms <n>] [--until-ms <n>]
 *
 * `--skip-ms` leaves out the first milliseconds of the profile (start-up: module loading, tsx, the
 * rubrics read), `--until-ms` what comes after (shut-down); both count from the profile's start.
 *
 * DevTools shows the same numbers one tree at a time; this prints them flat, so a profile of a
 * server under load can be read in a terminal and compared between runs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Entry {
  name: string;
  ms: number;
  /** Share of the busy (non-idle) time in the window. */
  percent: number;
}

/** A frame as bucket rules see it: the function's name and its file (as `fileOf` names it). */
export interface Frame {
  fn: string;
  file: string;
}

/**
 * A named share of the time, for a question like "how much goes on re-reading earlier turns".
 * Each busy sample goes to the first bucket whose rule matches its stack (leaf first), else "other".
 */
export interface Bucket {
  name: string;
  matches: (stack: readonly Frame[]) => boolean;
}

export interface CpuProfileSummary {
  /** Where the window lies, in ms from the profile's start: what --skip-ms and --until-ms take. */
  window: { fromMs: number; untilMs: number };
  windowMs: number;
  busyMs: number;
  idleMs: number;
  gcMs: number;
  selfByFunction: Entry[];
  selfByArea: Entry[];
  inclusiveByFunction: Entry[];
  inclusiveByFile: Entry[];
  buckets: Entry[];
}

/** V8's pseudo-frames: not code, but how the profiler labels time outside JavaScript. */
const IDLE = '(idle)';
const GC = '(garbage collector)';

/** A file as a reader recognises it: relative to the checkout, a package, or node's own module. */
function fileOf(url: string, root: string): string {
  if (url === '') return '(native)';
  let file = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) return `npm:${file.slice(modules + '/node_modules/'.length)}`;
  if (file.startsWith(root + path.sep)) file = file.slice(root.length + 1);
  return file;
}

/** A package rather than a file for dependencies (the file inside rarely matters); files for our code. */
function areaOf(file: string): string {
  if (!file.startsWith('npm:')) return file.startsWith('node:') ? file.replace(/^node:(internal\/)?([^/]+).*$/, 'node:$1$2') : file;
  const parts = file.slice(4).split('/');
  return `npm:${parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
}

function functionOf(node: CpuProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (url === '') return functionName || '(anonymous native)';
  // tsx hands V8 each TypeScript module as one line, so a line number there says nothing.
  const file = fileOf(url, root);
  return `${functionName || '(anonymous)'} ${file}${file.endsWith('.ts') && lineNumber === 0 ? '' : `:${lineNumber + 1}`}`;
}

function top(totals: Map<string, number>, busyUs: number, n: number): Entry[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: us / 1000, percent: (100 * us) / busyUs }));
}

/**
 * Each sample stands for the time until the next one. Only samples inside `fromUs`..`toUs` (V8's
 * monotonic clock, the one `process.hrtime` reads) count, so start-up and shut-down can be left out.
 */
export function summariseCpuProfile(
  profile: CpuProfile,
  options: { fromUs?: number; toUs?: number; root?: string; top?: number; buckets?: readonly Bucket[] } = {},
): CpuProfileSummary {
  const root = options.root ?? process.cwd();
  const n = options.top ?? 25;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const names = new Map(profile.nodes.map((node) => [node.id, functionOf(node, root)]));
  const files = new Map(profile.nodes.map((node) => [node.id, fileOf(node.callFrame.url, root)]));

  const selfByFunction = new Map<string, number>();
  const selfByArea = new Map<string, number>();
  const inclusiveByFunction = new Map<string, number>();
  const inclusiveByFile = new Map<string, number>();
  const buckets = new Map<string, number>((options.buckets ?? []).map((b) => [b.name, 0]));
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  let idleUs = 0;
  let gcUs = 0;
  let busyUs = 0;
  let windowUs = 0;

  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0;
    const us = profile.timeDeltas[i + 1] ?? 0;
    if ((options.fromUs !== undefined && time < options.fromUs) || (options.toUs !== undefined && time > options.toUs)) continue;
    windowUs += us;
    const leaf = byId.get(profile.samples[i]!)!;
    const leafName = leaf.callFrame.functionName;
    if (leafName === IDLE) {
      idleUs += us;
      continue;
    }
    busyUs += us;
    if (leafName === GC) gcUs += us;
    add(selfByFunction, names.get(leaf.id)!, us);
    add(selfByArea, leaf.callFrame.url === '' ? leafName || '(native)' : areaOf(files.get(leaf.id)!), us);
    // A function (or file) on the stack twice, as in recursion, still counts once per sample.
    const seenFunctions = new Set<string>();
    const seenFiles = new Set<string>();
    const stack: Frame[] = [];
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const name = names.get(id)!;
      if (name === '(root)') continue;
      stack.push({ fn: byId.get(id)!.callFrame.functionName, file: files.get(id)! });
      if (!seenFunctions.has(name)) {
        seenFunctions.add(name);
        add(inclusiveByFunction, name, us);
      }
      const file = files.get(id)!;
      if (file !== '(native)' && !seenFiles.has(file)) {
        seenFiles.add(file);
        add(inclusiveByFile, file, us);
      }
    }
    if (options.buckets) add(buckets, options.buckets.find((b) => b.matches(stack))?.name ?? 'other', us);
  }
  const fromUs = Math.max(options.fromUs ?? profile.startTime, profile.startTime);
  const untilUs = Math.min(options.toUs ?? profile.endTime, profile.endTime);
  return {
    window: { fromMs: Math.round((fromUs - profile.startTime) / 1000), untilMs: Math.round((untilUs - profile.startTime) / 1000) },
    windowMs: windowUs / 1000,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    gcMs: gcUs / 1000,
    selfByFunction: top(selfByFunction, busyUs, n),
    selfByArea: top(selfByArea, busyUs, n),
    inclusiveByFunction: top(inclusiveByFunction, busyUs, n * 3),
    inclusiveByFile: top(inclusiveByFile, busyUs, n * 2),
    buckets: top(buckets, busyUs, buckets.size),
  };
}

export function formatCpuProfileSummary(summary: CpuProfileSummary, context: { turns?: number } = {}): string {
  const perTurn = (ms: number) => (context.turns ? `  ${((1000 * ms) / context.turns).toFixed(0).padStart(5)} µs/turn` : '');
  const table = (title: string, entries: Entry[]) => [
    title,
    ...entries.map((e) => `  ${e.percent.toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(7)} ms${perTurn(e.ms)}  ${e.name}`),
  ];
  return [
    `Window ${summary.windowMs.toFixed(0)} ms (--skip-ms ${summary.window.fromMs} --until-ms ${summary.window.untilMs}): busy ${summary.busyMs.toFixed(0)} ms (GC ${summary.gcMs.toFixed(0)} ms, ${((100 * summary.gcMs) / summary.busyMs).toFixed(1)}% of busy), idle ${summary.idleMs.toFixed(0)} ms.${context.turns ? ` ${context.turns} turns: ${((1000 * summary.busyMs) / context.turns).toFixed(0)} µs busy per turn.` : ''}`,
    '',
    ...(summary.buckets.length > 0
      ? [...table('Where the busy time goes (each sample in the first bucket whose rule matches its stack):', summary.buckets), '']
      : []),
    ...table('Self time by package or file:', summary.selfByArea),
    '',
    ...table('Self time by function:', summary.selfByFunction),
    '',
    ...table('Inclusive time by file:', summary.inclusiveByFile),
    '',
    ...table('Inclusive time by function:', summary.inclusiveByFunction),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const valueOf = (flag: string) => {
    const at = args.indexOf(flag);
    return at >= 0 ? Number(args[at + 1]) : undefined;
  };
  const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  if (!file) {
    process.stderr.write('usage: npx tsx bench/cpu-profile-summary.ts <file.cpuprofile> [--top <n>] [--skip-ms <n>]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const skipMs = valueOf('--skip-ms');
  const untilMs = valueOf('--until-ms');
  const summary = summariseCpuProfile(profile, {
    root: path.join(import.meta.dirname, '..'),
    top: valueOf('--top') ?? 25,
    ...(skipMs !== undefined ? { fromUs: profile.startTime + skipMs * 1000 } : {}),
    ...(untilMs !== undefined ? { toUs: profile.startTime + untilMs * 1000 } : {}),
  });
  process.stdout.write(`${formatCpuProfileSummary(summary)}\n`);
}
