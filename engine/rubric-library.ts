/**
 * Loads the rubric and scenario files under `rubrics/` (or any paths given) and checks them all,
 * collecting every problem with its location instead of stopping at the first.
 *
 * @remarks
 * Use `loadLibrary` to validate (it reports problems and warnings, and returns what was valid); use
 * `openLibrary` where scenarios are about to be played, which refuses a broken rubric outright and
 * leaves out any scenario file with problems, reporting them with the same messages.
 *
 * Each scenario's content hash (`scenarioHashOf`) is computed here, where files are read, once per
 * load: a transcript records it, and `servicesim score` compares it with the scenario it scores
 * against.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem, sortProblems, type Problem } from './problem.ts';
import { checkDimensions, checkUnits } from './rubric-rules.ts';
import { DimensionsFileSchema, UnitsFileSchema, type Dimension, type Unit } from './rubric-schema.ts';
import { factLineWarnings } from './fact-line-checks.ts';
import { checkScenario, scenarioWarnings } from './scenario-rules.ts';
import { ScenarioSchema, type Scenario } from './scenario-schema.ts';
import { checkAgainstSchema, partsThatFit } from './schema-problems.ts';
import { checkSupersededLaw } from './superseded-law.ts';
import { parseYamlSource, problemAt, type YamlSource } from './yaml-source.ts';

/** The `rubrics/` folder shipped with ServiceSim. */
export const DEFAULT_RUBRICS_DIR = fileURLToPath(new URL('../rubrics', import.meta.url));

export interface CitedCriterion {
  unit: string;
  code: string;
  text: string;
}

/** A dimension with the text of every criterion it cites, ready to quote in a report. */
export interface RubricDimension extends Dimension {
  criteria: CitedCriterion[];
}

export interface Library {
  units: Unit[];
  dimensions: RubricDimension[];
  /** Valid scenarios only, in file-name order. */
  scenarios: Scenario[];
  /** Where each valid scenario was loaded from, by id. */
  files: Map<string, string>;
  problems: Problem[];
  /** What will work but probably not as meant (a question topic too broad): reported, never refused. */
  warnings: Problem[];
  /** Number of files read, of each kind. */
  counts: { units: number; dimensions: number; scenarios: number };
  /** The units and dimensions files read: a problem in one of these breaks every scenario. */
  rubricFiles: string[];
  /** SHA-256 of each file read, by the path it is shown under. */
  hashes: Map<string, string>;
}

export interface LoadOptions {
  /**
   * The dimensions the chosen scorer has a judge for. A rubric or scenario naming any other is a
   * problem: it would silently never be scored.
   */
  scorable?: { name: string; dimensions: readonly string[] };
}

export class LibraryError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`the rubric files have problems:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'LibraryError';
  }
}

export async function loadLibrary(paths: readonly string[] = [DEFAULT_RUBRICS_DIR], options: LoadOptions = {}): Promise<Library> {
  const problems: Problem[] = [];
  const hashes = new Map<string, string>();
  const sources = await readSources(paths, problems, hashes);
  const byKind = classify(sources);

  // Scenarios given on their own are checked against the shipped rubric.
  if (byKind.units.length === 0)
    byKind.units = classify(await readSources([path.join(DEFAULT_RUBRICS_DIR, 'units.yaml')], problems, hashes)).units;
  if (byKind.dimensions.length === 0)
    byKind.dimensions = classify(await readSources([path.join(DEFAULT_RUBRICS_DIR, 'dimensions.yaml')], problems, hashes)).dimensions;

  const units: Unit[] = [];
  const unitIds = new Set<string>();
  for (const source of byKind.units) {
    const { value, problems: found } = checkAgainstSchema(source, UnitsFileSchema);
    problems.push(...found);
    if (value) {
      problems.push(...checkUnits(value.units, source, unitIds));
      units.push(...value.units);
    }
  }

  const dimensions: RubricDimension[] = [];
  const dimensionIds = new Set<string>();
  for (const source of byKind.dimensions) {
    const { value, problems: found } = checkAgainstSchema(source, DimensionsFileSchema);
    problems.push(...found);
    if (value) {
      problems.push(...checkDimensions(value.dimensions, source, units, dimensionIds, options.scorable));
      dimensions.push(...value.dimensions.map((d) => ({ ...d, criteria: cite(d, units) })));
    }
  }

  const scenarios: Scenario[] = [];
  const warnings: Problem[] = [];
  const files = new Map<string, string>();
  const idSites = new Map<string, string>();
  for (const source of byKind.scenarios) {
    const before = problems.length;
    const { value, problems: found } = checkAgainstSchema(source, ScenarioSchema);
    problems.push(...found, ...checkSupersededLaw(source.data, source));
    // Cross-references are checked on whatever parts fit, so one run reports both kinds of problem.
    const { parts, unfit } = value ? { parts: value, unfit: new Set<string>() } : partsThatFit(source.data, ScenarioSchema);
    const fileId = path.basename(source.file).replace(/\.ya?ml$/, '');
    problems.push(
      ...checkScenario(parts, source, {
        fileId,
        dimensionIds: [...dimensionIds],
        ...(options.scorable ? { scorable: options.scorable } : {}),
        unfit,
      }),
    );
    warnings.push(...scenarioWarnings(parts, source));
    warnings.push(...factLineWarnings(parts, source));
    if (parts.id !== undefined) {
      const other = idSites.get(parts.id);
      if (other) {
        problems.push(
          problemAt(source, ['id'], `the scenario id "${parts.id}" is already used by ${other}`, 'give every scenario its own id'),
        );
      }
      idSites.set(parts.id, source.file);
    }
    if (value && problems.length === before) {
      scenarios.push(value);
      files.set(value.id, source.file);
      contentHashes.set(value, canonicalHash(source.data));
    }
  }

  return {
    units,
    dimensions,
    scenarios,
    files,
    problems: sortProblems(problems),
    warnings: sortProblems(warnings),
    counts: { units: byKind.units.length, dimensions: byKind.dimensions.length, scenarios: byKind.scenarios.length },
    rubricFiles: [...byKind.units, ...byKind.dimensions].map((s) => s.file),
    hashes,
  };
}

/**
 * The content hashes a scenario was played and scored with: its own file's, and one over the
 * rubric files (units and dimensions), so a later change to either shows.
 */
export function sourceHashesOf(library: Library, scenarioId: string): { scenario: string; rubric: string } | undefined {
  const file = library.files.get(scenarioId);
  const scenario = file === undefined ? undefined : library.hashes.get(file);
  if (scenario === undefined) return undefined;
  const rubric = createHash('sha256');
  for (const rubricFile of [...library.rubricFiles].sort())
    rubric.update(`${path.basename(rubricFile)}\n${library.hashes.get(rubricFile) ?? ''}\n`);
  return { scenario, rubric: rubric.digest('hex') };
}

/** Content hashes of the scenarios loaded, by the scenario object handed out. */
const contentHashes = new WeakMap<Scenario, string>();

/**
 * The SHA-256 of a loaded scenario's content: its data as read from the file, with keys in a fixed
 * order, so comments, layout, quoting and key order do not change it and any change of what the
 * file says does. Undefined for a scenario that did not come from `loadLibrary`.
 *
 * @remarks
 * Unlike `sourceHashesOf` (the exact bytes, kept in evidence to reproduce a score), this says
 * whether a transcript would be scored against the scenario it was played with.
 */
export function scenarioHashOf(scenario: Scenario): string | undefined {
  return contentHashes.get(scenario);
}

function canonicalHash(data: unknown): string {
  return createHash('sha256').update(canonicalJson(data)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Loads the library for playing scenarios: a broken rubric is refused with `LibraryError`; a
 * broken scenario file is left out and its problems passed to `warn`.
 */
export async function openLibrary(
  paths: readonly string[] = [DEFAULT_RUBRICS_DIR],
  warn: (problem: Problem) => void = () => {},
  options: LoadOptions = {},
): Promise<Library> {
  const library = await loadLibrary(paths, options);
  const rubricProblems = library.problems.filter((p) => library.rubricFiles.includes(p.file));
  if (rubricProblems.length > 0 || library.dimensions.length === 0) throw new LibraryError(rubricProblems);
  library.problems.forEach(warn);
  return library;
}

function cite(dimension: Dimension, units: Unit[]): CitedCriterion[] {
  return dimension.evidences.flatMap((citation) => {
    const unit = units.find((u) => u.id === citation.unit);
    return citation.criteria.flatMap((code) => {
      const criterion = unit?.criteria.find((c) => c.code === code);
      return criterion ? [{ unit: citation.unit, code, text: criterion.text }] : [];
    });
  });
}

interface Classified {
  units: YamlSource[];
  dimensions: YamlSource[];
  scenarios: YamlSource[];
}

/**
 * A units or dimensions file holds a list of mappings under its one top-level key; anything else
 * is a scenario (whose own `dimensions` is a list of ids), so a scenario missing its `id` is still
 * checked as a scenario.
 */
function classify(sources: YamlSource[]): Classified {
  const out: Classified = { units: [], dimensions: [], scenarios: [] };
  const listOfMappings = (value: unknown) =>
    Array.isArray(value) && value.length > 0 && value.every((v) => v !== null && typeof v === 'object');
  for (const source of sources) {
    const data = source.data as Record<string, unknown> | undefined;
    const keys = data && typeof data === 'object' ? Object.keys(data) : [];
    if (keys.includes('units') && (keys.length === 1 || listOfMappings(data!.units))) out.units.push(source);
    else if (keys.includes('dimensions') && keys.length <= 1 && listOfMappings(data!.dimensions)) out.dimensions.push(source);
    else out.scenarios.push(source);
  }
  return out;
}

async function readSources(paths: readonly string[], problems: Problem[], hashes: Map<string, string>): Promise<YamlSource[]> {
  const files: string[] = [];
  for (const given of paths) {
    const shown = displayPath(given);
    try {
      const info = await stat(given);
      if (info.isDirectory()) files.push(...(await yamlFilesUnder(given)));
      else files.push(given);
    } catch {
      problems.push({ file: shown, line: 1, column: 1, path: '', message: 'no such file or folder', fix: 'check the path' });
    }
  }
  const sources: YamlSource[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const source = parseYamlSource(displayPath(file), text);
    hashes.set(source.file, createHash('sha256').update(text).digest('hex'));
    problems.push(...source.problems);
    sources.push(source);
  }
  return sources;
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Paths are shown relative to where the command runs, as editors and terminals link them. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), path.resolve(file));
  return relative.startsWith('..') ? path.resolve(file) : relative;
}
