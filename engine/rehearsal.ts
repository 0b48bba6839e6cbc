/**
 * One rehearsal: a learner talking to a scripted customer, turn by turn, with the transcript kept
 * as it grows. The terminal, the bot and the tests all drive a rehearsal through this one API.
 */
import { customerReply, startCustomer, type CustomerState } from './scripted-customer.ts';
import { readLearnerTurn, type LearnerTurn } from './learner-turn.ts';
import type { Scenario } from './scenario-schema.ts';
import { scoreReading } from './scorer.ts';
import type { ScoreReport } from './score-report.ts';
import { MAX_TURN_CHARS, type Turn } from './transcript.ts';
import { readCustomerMessage } from './utterance.ts';

export interface RehearsalState {
  scenarioId: string;
  turns: Turn[];
  customer: CustomerState;
}

export class Rehearsal {
  private readonly learnerTurns: LearnerTurn[] = [];

  private constructor(readonly scenario: Scenario, private state: RehearsalState) {
    // Re-read earlier learner turns so that a rehearsal restored from storage carries on exactly.
    state.turns.forEach((turn, i) => {
      if (turn.role === 'learner') this.learnerTurns.push(this.read(turn.text, i + 1));
    });
  }

  static start(scenario: Scenario, seed?: string): Rehearsal {
    const { text, state } = startCustomer(scenario, seed);
    return new Rehearsal(scenario, { scenarioId: scenario.id, turns: [{ role: 'customer', text }], customer: state });
  }

  static restore(scenario: Scenario, state: RehearsalState): Rehearsal {
    return new Rehearsal(scenario, structuredClone(state));
  }

  get snapshot(): RehearsalState {
    return structuredClone(this.state);
  }

  get turns(): readonly Turn[] {
    return this.state.turns;
  }

  get ended(): boolean {
    return this.state.customer.ended;
  }

  get endReason(): CustomerState['endReason'] {
    return this.state.customer.endReason;
  }

  /** How the last learner message was read: what the customer reacted to. */
  get lastReading(): LearnerTurn | undefined {
    return this.learnerTurns.at(-1);
  }

  /** The learner's message; returns the customer's reply. */
  learnerSays(text: string): string {
    if (this.ended) throw new Error('this rehearsal has ended');
    const trimmed = text.trim();
    if (trimmed.length === 0) throw new RangeError('say something to the customer');
    if (trimmed.length > MAX_TURN_CHARS) throw new RangeError(`a reply may be at most ${MAX_TURN_CHARS} characters`);
    this.state.turns.push({ role: 'learner', text: trimmed });
    const turn = this.read(trimmed, this.state.turns.length);
    this.learnerTurns.push(turn);
    const reply = customerReply(this.scenario, this.state.customer, turn);
    this.state.customer = reply.state;
    this.state.turns.push({ role: 'customer', text: reply.text });
    return reply.text;
  }

  /** The learner ends the rehearsal. */
  end(): void {
    this.state.customer = { ...this.state.customer, ended: true, endReason: this.state.customer.endReason ?? 'learner-ended' };
  }

  score(): ScoreReport {
    return scoreReading({ scenario: this.scenario, learnerTurns: this.learnerTurns });
  }

  private read(text: string, number: number): LearnerTurn {
    const previous = this.state.turns[number - 2];
    return readLearnerTurn(text, {
      scenario: this.scenario,
      turn: number,
      previousCustomer: previous?.role === 'customer' ? readCustomerMessage(previous.text) : undefined,
      earlier: this.learnerTurns,
    });
  }
}
