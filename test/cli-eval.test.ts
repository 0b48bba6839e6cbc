/**
 * `servicesim eval` through the real binary: the rules judge on the hand-labelled set (the table
 * and the JSON), an LLM judge against a local OpenAI-compatible server (the tokens and cost it
 * prints are the ones the server counted, one call a transcript), the rules' levels with the
 * fallback counted when that server fails, and one clear line for a judge that does not exist.
 */
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHeldOut } from '../cli/agreement-table.ts';
import { LABELLED_DIR, readLabelledSet } from '../cli/labelled-set.ts';
import { measureAgreement } from '../cli/measure-agreement.ts';
import type { JudgeAnswer } from '../engine/llm-judge.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { createRulesScorer } from '../engine/rules-scorer.ts';
import type { Scorer } from '../engine/scorer.ts';
import { startOpenAiCompatibleServer, type ChatReply, type ChatRequestBody } from './openai-compatible-server.ts';
import { EMPTY_SETTINGS, runCli, type CliResult } from './run-cli.ts';
import { temporaryFolder } from './temporary-folder.ts';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'servicesim.js');

/** Three labelled conversations on three scenarios, with a labelled breach among them. */
const SMALL_SET = [
  'faulty-washing-machine/03-polite-but-vague.json',
  'gym-cancellation-fee/07-questions-no-close-hint.json',
  'double-charged-energy-bill/04-empathic-no-options.json',
];

/** A folder holding copies of SMALL_SET, in the labelled set's layout. */
function smallLabelledFolder(): string {
  const folder = temporaryFolder();
  for (const file of SMALL_SET) cpSync(path.join(LABELLED_DIR, file), path.join(folder, file));
  return folder;
}

/**
 * Runs `servicesim` without blocking this process, as runCli does not: the model server the binary
 * calls lives in this process, and must go on answering while the binary runs.
 */
function runCliAsync(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...EMPTY_SETTINGS, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 25_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The settings that point the LLM judge at the local server, with prices so a cost is printed. */
function modelSettings(baseURL: string): NodeJS.ProcessEnv {
  return { OPENAI_BASE_URL: baseURL, OPENAI_API_KEY: 'test-key', LLM_PRICE_INPUT: '1', LLM_PRICE_OUTPUT: '2' };
}

/**
 * What a careful judge model would answer: level 2 on every dimension the prompt's rubric lists, each
 * quoting the transcript's first advisor turn word for word (found in the prompt, as a model reads it).
 */
function judgeAnswerFor(body: ChatRequestBody): JudgeAnswer {
  const prompt = body.messages.map((m) => m.content).join('\n');
  const dimensions = [...prompt.matchAll(/^## (\w+):/gm)].map((m) => m[1]!);
  const advisor = /^Turn (\d+) \(advisor\): (.+)$/m.exec(prompt);
  if (dimensions.length === 0 || !advisor) throw new Error('the judge prompt has no rubric or no advisor turn');
  const [, turn, quote] = advisor;
  return {
    dimensions: dimensions.map((id) => ({
      id,
      level: 2,
      evidence: [{ turn: Number(turn), quote: quote!, reason: 'shown here' }],
      suggestion: 'Say what happens next, and when.',
      rulesVerdict: null,
    })),
    breaches: [],
    rulesBreachVerdicts: [],
  };
}

/** Tokens as the server counts them (see openai-compatible-server.ts): four characters a token, at least one. */
const serverTokens = (characters: number) => Math.max(1, Math.ceil(characters / 4));

describe('servicesim eval with the rules judge', () => {
  const labelled = readLabelledSet();
  const dimensions = [...new Set(labelled.flatMap((l) => Object.keys(l.labels.dimensions)))];

  it('prints the agreement table for the labelled set, and says no model was called', () => {
    const result = runCli(['eval']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`all labelled transcripts: ${labelled.length} transcripts`);
    for (const dimension of [...dimensions, 'all'])
      expect(result.stdout).toMatch(new RegExp(`^\\| ${dimension} \\| \\d+ \\| \\d+% \\| \\d+% \\| -?\\d\\.\\d\\d \\|$`, 'm'));
    expect(result.stdout).toMatch(/^Not applicable \(null\) agreed \d+, disagreed \d+\.$/m);
    expect(result.stdout).toMatch(
      /^Authority breaches \(by learner turn\): precision \d+%, recall \d+% \(\d+ found, \d+ false alarms, \d+ missed\)$/m,
    );
    expect(result.stdout).toMatch(/^Judge: rules \(rules-scorer /m);
    expect(result.stdout).toContain('Model calls: none');
  });

  it('prints the figures as JSON with --json, a row for every dimension', () => {
    const result = runCli(['eval', '--json', '--split', 'held-out']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const measured = JSON.parse(result.stdout);
    const heldOut = labelled.filter((l) => isHeldOut(l.file));
    expect(measured.transcripts).toBe(heldOut.length);
    expect(measured.scorer.kind).toBe('rules');
    const rows = measured.rows as Array<{ dimension: string; pairs: number; exact: number; adjacent: number; kappa: number | null }>;
    expect(rows.map((r) => r.dimension).sort()).toEqual(
      [...new Set(heldOut.flatMap((l) => Object.keys(l.labels.dimensions)))].concat('all').sort(),
    );
    for (const row of rows) expect(row.adjacent).toBeGreaterThanOrEqual(row.exact);
    // Each level a tutor gave is a pair, unless the scorer gave none (a null disagreement).
    const tutorLevels = heldOut.flatMap((l) => Object.values(l.labels.dimensions)).filter((level) => level !== null).length;
    const all = rows.find((r) => r.dimension === 'all')!;
    expect(all.pairs).toBeLessThanOrEqual(tutorLevels);
    expect(all.pairs + measured.notApplicableDisagreed).toBeGreaterThanOrEqual(tutorLevels);
    expect(measured.models).toMatchObject({
      calls: 0,
      fallbacks: {},
      usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 },
      flagged: 0,
    });
  });
});

describe('measureAgreement scoring several transcripts at once', () => {
  it('measures the same whatever order the reports come back in', async () => {
    const library = await loadLibrary();
    const labelled = readLabelledSet().filter((l) => l.scenario === 'faulty-washing-machine');
    const rules = createRulesScorer();
    // Each report comes back later than the next one's, so at any concurrency they finish in reverse order.
    let started = 0;
    const slowFirst: Scorer = {
      ...rules,
      score: async (input) => {
        const wait = (labelled.length - started++) * 5;
        const report = await rules.score(input);
        await new Promise((resolve) => setTimeout(resolve, wait));
        return report;
      },
    };
    const oneAtATime = await measureAgreement(rules, library, labelled);
    const many = await measureAgreement(slowFirst, library, labelled, { concurrency: 4 });
    expect(many).toEqual(oneAtATime);
    expect(oneAtATime.misses.length).toBeGreaterThan(0);
  });
});

describe('servicesim eval with a model judge', () => {
  it('prints the tokens and cost the server counted, one call a transcript, and uses the judge’s levels', async () => {
    const folder = smallLabelledFolder();
    const replies: string[] = [];
    const server = await startOpenAiCompatibleServer((body): ChatReply => {
      const content = JSON.stringify(judgeAnswerFor(body));
      replies.push(content);
      return { content };
    });
    try {
      const result = await runCliAsync(['eval', '--judge', 'llm', '--labelled', folder], modelSettings(server.baseURL));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(server.requests).toHaveLength(SMALL_SET.length);
      const inputTokens = server.requests.reduce(
        (sum, body) => sum + serverTokens(body.messages.reduce((n, m) => n + m.content.length, 0)),
        0,
      );
      const outputTokens = replies.reduce((sum, content) => sum + serverTokens(content.length), 0);
      const n = (count: number) => count.toLocaleString('en-GB');
      expect(result.stdout).toMatch(/^Judge: llm \(llm-judge .*gpt-4o/m);
      expect(result.stdout).toContain(`Model calls: 3; rules' levels used instead for 0 of 3 transcripts;`);
      expect(result.stdout).toContain(`Tokens: ${n(inputTokens)} input (0 of them cached), ${n(outputTokens)} output;`);
      expect(result.stdout).toContain(
        `cost ${((inputTokens * 1 + outputTokens * 2) / 1_000_000).toFixed(6)} (per million tokens: input 1, cached input 0, output 2)`,
      );

      // Every level the judge gave stood (its quotes were found), so agreement is with level 2 throughout.
      const json = await runCliAsync(['eval', '--judge', 'llm', '--labelled', folder, '--json'], modelSettings(server.baseURL));
      expect(json.code).toBe(0);
      const labels = readLabelledSet(folder)
        .flatMap((l) => Object.values(l.labels.dimensions))
        .filter((level) => level !== null);
      const all = (JSON.parse(json.stdout).rows as Array<{ dimension: string; pairs: number; exact: number }>).find(
        (r) => r.dimension === 'all',
      )!;
      expect(all.pairs).toBe(labels.length);
      expect(all.exact).toBeCloseTo(labels.filter((level) => level === 2).length / labels.length, 10);
    } finally {
      await server.close();
    }
  });

  it('gives every transcript the rules’ levels when the server fails, counting the fallback by its reason', async () => {
    const folder = smallLabelledFolder();
    const server = await startOpenAiCompatibleServer(() => ({ status: 500 }));
    try {
      const byModel = await runCliAsync(['eval', '--judge', 'llm', '--labelled', folder, '--json'], {
        ...modelSettings(server.baseURL),
        LLM_MAX_RETRIES: '0',
      });
      // Measured, but it is the rules' figures: said on stderr, and a failing exit code.
      expect(byModel.stderr).toMatch(
        /^servicesim: the llm judge's call failed for every transcript \(server-error\): these are the rules' figures/,
      );
      expect(byModel.code).toBe(1);
      expect(server.requests).toHaveLength(SMALL_SET.length);
      const byRules = runCli(['eval', '--judge', 'rules', '--labelled', folder, '--json']);
      expect(byRules.code).toBe(0);
      const model = JSON.parse(byModel.stdout);
      const rules = JSON.parse(byRules.stdout);
      expect(model.scorer.kind).toBe('llm');
      expect(model.rows).toEqual(rules.rows);
      expect(model.breaches).toEqual(rules.breaches);
      expect(model.models).toMatchObject({ calls: 3, fallbacks: { 'server-error': 3 }, flagged: 0 });

      const text = await runCliAsync(['eval', '--judge', 'llm', '--labelled', folder], {
        ...modelSettings(server.baseURL),
        LLM_MAX_RETRIES: '0',
      });
      expect(text.stdout).toContain(`rules' levels used instead for 3 of 3 transcripts (server-error 3)`);
    } finally {
      await server.close();
    }
  });
});

describe('servicesim eval used wrongly', () => {
  it('refuses a judge that does not exist with one line and exit code 2', () => {
    const result = runCli(['eval', '--judge', 'nonsense']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('servicesim: --judge nonsense: it may be rules, llm, hybrid\n');
  });

  it('says which --labelled folder is not there', () => {
    const absent = path.join(temporaryFolder(), 'absent');
    const result = runCli(['eval', '--labelled', absent]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`servicesim: --labelled ${absent}: no such folder\n`);
  });
});
