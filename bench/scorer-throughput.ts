/**
 * Scorer speed on one core: learner turns scored per second over the labelled transcripts, read
 * from scratch (as `servicesim score` does), and the time to score one 30-turn transcript. The
 * scorer is the one JUDGE_MODE chooses (the rules by default). Floor: 1,500 learner turns a second.
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { configuredScorer } from '../cli/rehearsal-parts.ts';
import { readSettings } from '../cli/settings.ts';
import { openLibrary } from '../engine/rubric-library.ts';
import type { Scenario } from '../engine/scenario-schema.ts';
import type { Turn } from '../engine/transcript.ts';
import { readLabelledSet } from '../cli/labelled-set.ts';

/** Below this a scorer would start to be felt in a busy bot; the rules have kept above it. */
const FLOOR_TURNS_PER_SECOND = 1500;

const library = await openLibrary();
const scorer = await configuredScorer(readSettings(), library);
const scoreTranscript = (scenario: Scenario, turns: readonly Turn[]) => scorer.score({ scenario, turns });
const items = readLabelledSet().map((item) => ({ scenario: library.scenarios.find((s) => s.id === item.scenario)!, turns: item.turns }));
const learnerTurns = items.reduce((n, i) => n + i.turns.filter((t) => t.role === 'learner').length, 0);

// Warm up the model and the JIT, then measure.
for (const item of items) await scoreTranscript(item.scenario, item.turns);
const rounds = 20;
let start = performance.now();
for (let r = 0; r < rounds; r++) for (const item of items) await scoreTranscript(item.scenario, item.turns);
const seconds = (performance.now() - start) / 1000;
const turnsPerSecond = (learnerTurns * rounds) / seconds;

// A 30-learner-turn transcript made from real learner replies, cycled.
const longest = [...items].sort((a, b) => b.turns.length - a.turns.length)[0]!;
const thirty: Turn[] = [];
for (let i = 0; thirty.filter((t) => t.role === 'learner').length < 30; i++) thirty.push(longest.turns[i % longest.turns.length]!);
const times: number[] = [];
for (let r = 0; r < 50; r++) {
  start = performance.now();
  await scoreTranscript(longest.scenario, thirty);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
const p95 = times[Math.floor(times.length * 0.95)]!;

const ok = (pass: boolean) => (pass ? 'above the floor' : 'BELOW THE FLOOR');
process.stdout.write(
  `Scorer throughput (${scorer.identity.id} ${scorer.identity.version}): ${Math.round(turnsPerSecond).toLocaleString('en-GB')} learner turns/s on one core (${learnerTurns} turns × ${rounds} rounds) — floor ≥ ${FLOOR_TURNS_PER_SECOND.toLocaleString('en-GB')}: ${ok(turnsPerSecond >= FLOOR_TURNS_PER_SECOND)}\n`,
);
process.stdout.write(`30-turn transcript: median ${median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms\n`);

// The floor under all of this: wink-nlp reading each learner reply (with the part-of-speech tagging
// that lemmas need) and the customer turn before it, with no attribute read and no rule run.
const tagged = winkNLP(model, ['sbd', 'pos']);
const sentences = winkNLP(model, ['sbd']);
const pairs = items.flatMap((item) =>
  item.turns.flatMap((t, i) =>
    t.role === 'learner' ? [[t.text, item.turns[i - 1]?.role === 'customer' ? item.turns[i - 1]!.text : ''] as const] : [],
  ),
);
const readAll = () => {
  for (const [learner, customer] of pairs) {
    tagged.readDoc(learner);
    sentences.readDoc(customer);
  }
};
readAll();
start = performance.now();
for (let r = 0; r < rounds; r++) readAll();
const floor = ((performance.now() - start) * 1000) / (rounds * pairs.length);
process.stdout.write(`wink-nlp reading alone: ${Math.round(floor)} µs per learner turn\n`);
