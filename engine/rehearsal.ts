/**
 * One rehearsal: a learner talking to a customer, turn by turn, each turn read once by the rules
 * (the step every customer and scorer shares), answered by the customer and scored as it happens.
 * The terminal, the bot, the benchmarks and the tests all drive a rehearsal through this one API.
 *
 * @remarks
 * A turn's cost does not grow with the rehearsal. The state carried from turn to turn is small and
 * of fixed size (the customer's and scorer's own state, the customer's last words, whether approval
 * has been sought); each turn's reading, reply and feedback come back as an `Exchange`, which the
 * host keeps (in memory, or appended to a log in its store) and hands back only once, to score the
 * whole rehearsal at its end.
 *
 * Who speaks first is the scenario's (`openedBy`). When the learner opens, there is no opening: the
 * rehearsal waits for the learner's first message (turn 1), and the customer's first words answer it;
 * the transcript then starts with the learner.
 */
import { z } from 'zod';
import { ComponentStateSchema, IncompatibleStateError } from './component-identity.ts';
import { END_REASONS, type Customer, type CustomerNote, type EndReason } from './customer.ts';
import { readLearnerTurn, type LearnerTurn } from './learner-turn.ts';
import { usageOfCalls, type ModelAccounting } from './model-use.ts';
import type { StatusWithNews } from './mood-events.ts';
import { OPENED_BY, type Scenario } from './scenario-schema.ts';
import type { ScoreReport } from './score-report.ts';
import type { Scorer, TurnFeedback } from './scorer.ts';
import { MAX_TURN_CHARS, MAX_TURNS, type Turn } from './transcript.ts';
import { readCustomerMessage } from './utterance.ts';

export const REHEARSAL_STATE_VERSION = 2;

const RehearsalStateSchema = z.object({
  version: z.literal(REHEARSAL_STATE_VERSION),
  scenarioId: z.string().min(1),
  /** Who spoke first; state saved before the learner could open is the customer's. */
  openedBy: z.enum(OPENED_BY).default('customer'),
  /** The customer's first words; empty when the learner opens. */
  opening: z.string(),
  /** Transcript turns so far: the opening (if the customer gave one), then a learner turn and the customer's answer each time. */
  turnCount: z.number().int().min(0),
  /** The customer's last words: what the next learner turn answers (empty before the customer has spoken). */
  lastCustomerText: z.string(),
  /** The learner has sought approval from someone with authority at some point. */
  approvalSought: z.boolean(),
  /** Hidden facts the learner has uncovered so far: authority with a condition applies once one is known. */
  factsUncovered: z.array(z.string()).optional(),
  mood: z.number().int().min(0).max(4),
  ended: z.boolean(),
  endReason: z.enum(END_REASONS).optional(),
  customer: ComponentStateSchema,
  scorer: ComponentStateSchema,
});

/** As stored: `openedBy` may be absent (state from before the learner could open), meaning the customer. */
export type RehearsalState = z.input<typeof RehearsalStateSchema>;

/** One learner turn and the customer's answer, with how the turn was read and scored. */
export interface Exchange {
  /** The learner turn's 1-based position in the transcript; the customer's answer is the next. */
  turn: number;
  learner: string;
  reading: LearnerTurn;
  customer: string;
  /** The customer's mood after answering (absent for turns carried over from before moods were kept). */
  mood?: number;
  feedback: TurnFeedback;
  /** A model-driven customer's note on this turn: its calls, tokens, reading, and any fallback. */
  model?: CustomerNote;
}

export interface RehearsalParts {
  customer: Customer;
  scorer: Scorer;
  /** When a model plays a part: the prompts' versions and the prices, for the evidence record. */
  models?: ModelAccounting;
}

export class Rehearsal {
  private constructor(
    readonly scenario: Scenario,
    private readonly parts: RehearsalParts,
    private state: RehearsalState,
  ) {}

  static async start(scenario: Scenario, parts: RehearsalParts, seed: string = scenario.id): Promise<Rehearsal> {
    const opening = await parts.customer.open({ scenario, seed });
    // The learner speaks first: whatever a customer would say unprompted is not said.
    const said = scenario.openedBy === 'learner' ? '' : opening.text;
    return new Rehearsal(scenario, parts, {
      version: REHEARSAL_STATE_VERSION,
      scenarioId: scenario.id,
      openedBy: scenario.openedBy,
      opening: said,
      turnCount: said === '' ? 0 : 1,
      lastCustomerText: said,
      approvalSought: false,
      mood: opening.status.mood,
      ended: opening.status.ended,
      customer: opening.state,
      scorer: parts.scorer.open(scenario),
    });
  }

  /** Carries on from stored state. Throws IncompatibleStateError for state of another shape or version. */
  static restore(scenario: Scenario, parts: RehearsalParts, stored: unknown): Rehearsal {
    const parsed = RehearsalStateSchema.safeParse(stored);
    if (!parsed.success || parsed.data.scenarioId !== scenario.id)
      throw new IncompatibleStateError('a rehearsal', (stored as { version?: unknown })?.version ?? 'unversioned');
    return new Rehearsal(scenario, parts, parsed.data);
  }

  /** The state to store between turns: small, and the same size at turn 200 as at turn 2. */
  get snapshot(): RehearsalState {
    return structuredClone(this.state);
  }

  /** The customer's first words; empty when the learner opens (`openedBy`). */
  get opening(): string {
    return this.state.opening;
  }

  get openedBy(): (typeof OPENED_BY)[number] {
    return this.state.openedBy ?? 'customer';
  }

  get turnCount(): number {
    return this.state.turnCount;
  }

  get ended(): boolean {
    return this.state.ended;
  }

  get endReason(): EndReason | undefined {
    return this.state.endReason;
  }

  /** The learner's message: read once, answered by the customer and scored as it happens. */
  async learnerSays(text: string): Promise<Exchange> {
    if (this.ended) throw new Error('this rehearsal has ended');
    const said = text.trim();
    if (said.length === 0) throw new RangeError('say something to the customer');
    if (said.length > MAX_TURN_CHARS) throw new RangeError(`a reply may be at most ${MAX_TURN_CHARS} characters`);
    const { scenario, parts, state } = this;
    const turn = state.turnCount + 1;
    const reading = readLearnerTurn(said, {
      scenario,
      turn,
      ...(state.lastCustomerText === '' ? {} : { previousCustomer: readCustomerMessage(state.lastCustomerText) }),
      approvalSoughtEarlier: state.approvalSought,
      factsUncovered: new Set(state.factsUncovered ?? []),
    });
    const reply = await parts.customer.reply({ scenario, state: state.customer, text: said, reading });
    const scored = await parts.scorer.scoreTurn({
      scenario,
      state: state.scorer,
      reading,
      // News the scenario makes unwelcome (`moodEvents`) is not the learner's manner: only the rest counts.
      customerGotWorse: reply.status.mood - ((reply.status as StatusWithNews).moodFromNews ?? 0) > state.mood,
    });
    // Only now, with both answers in hand, does the rehearsal move on: a failure above changes nothing.
    const atLimit = !reply.status.ended && turn + 1 >= MAX_TURNS - 1;
    const endReason = reply.status.ended ? reply.status.endReason : atLimit ? 'length-limit' : undefined;
    this.state = {
      ...state,
      turnCount: turn + 1,
      lastCustomerText: reply.text,
      approvalSought: reading.approvalSought,
      factsUncovered: [...new Set([...(state.factsUncovered ?? []), ...reading.factsAsked])],
      mood: reply.status.mood,
      ended: reply.status.ended || atLimit,
      ...(endReason ? { endReason } : {}),
      customer: reply.state,
      scorer: scored.state,
    };
    return {
      turn,
      learner: said,
      reading,
      customer: reply.text,
      mood: reply.status.mood,
      feedback: scored.feedback,
      ...(reply.note ? { model: reply.note } : {}),
    };
  }

  /** The learner ends the rehearsal. */
  end(): void {
    this.state = { ...this.state, ended: true, endReason: this.state.endReason ?? 'learner-ended' };
  }
}

/** Stands in for an exchange lost from storage, so every later turn keeps its number. */
const LOST_TURN_TEXT = '(this turn could not be read back from storage)';

/**
 * The transcript of a rehearsal from its opening and its exchanges, each at its own turn number. An
 * empty opening is none: the learner opened, and the transcript starts with their turn 1.
 */
export function transcriptOf(opening: string, exchanges: readonly Exchange[], turnCount = 0): Turn[] {
  const turns: Turn[] = opening.trim() === '' ? [] : [{ role: 'customer', text: opening }];
  const lost = (upTo: number) => {
    while (turns.length < upTo) turns.push({ role: 'learner', text: LOST_TURN_TEXT }, { role: 'customer', text: LOST_TURN_TEXT });
  };
  for (const exchange of [...exchanges].sort((a, b) => a.turn - b.turn)) {
    lost(exchange.turn - 1);
    turns.push({ role: 'learner', text: exchange.learner }, { role: 'customer', text: exchange.customer });
  }
  // Turns lost at the end too, when the caller knows how many there were.
  lost(turnCount);
  return turns;
}

/** Scores a finished rehearsal from its exchanges: each turn was read once, and is not read again. */
export async function scoreRehearsal(
  scorer: Scorer,
  scenario: Scenario,
  opening: string,
  exchanges: readonly Exchange[],
): Promise<ScoreReport> {
  const ordered = [...exchanges].sort((a, b) => a.turn - b.turn);
  const calls = ordered.flatMap((e) => e.model?.calls ?? []);
  return scorer.score({
    scenario,
    turns: transcriptOf(opening, ordered),
    readings: ordered.map((e) => e.reading),
    feedback: ordered.map((e) => e.feedback),
    ...(calls.length > 0 ? { modelUsage: usageOfCalls(calls) } : {}),
  });
}
