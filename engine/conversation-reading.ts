/**
 * Reads a whole transcript: every learner turn in the context of the customer message it answers
 * and of what the learner said before.
 */
import { factsToldIn } from './facts-told.ts';
import { readLearnerTurn, type LearnerTurn } from './learner-turn.ts';
import type { Scenario } from './scenario-schema.ts';
import type { Turn } from './transcript.ts';
import { readCustomerMessage, type CustomerMessage } from './utterance.ts';

export interface ConversationReading {
  scenario: Scenario;
  learnerTurns: LearnerTurn[];
}

export function readConversation(scenario: Scenario, turns: readonly Turn[]): ConversationReading {
  const learnerTurns: LearnerTurn[] = [];
  let previousCustomer: CustomerMessage | undefined;
  const earlierCustomers: CustomerMessage[] = [];
  // Facts the customer has told, asked for or not: they meet an authority condition too.
  const told = new Set<string>();
  turns.forEach((turn, index) => {
    if (turn.role === 'customer') {
      if (previousCustomer) earlierCustomers.push(previousCustomer);
      previousCustomer = readCustomerMessage(turn.text);
      for (const fact of factsToldIn(previousCustomer, scenario)) told.add(fact);
    } else
      learnerTurns.push(
        readLearnerTurn(turn.text, {
          scenario,
          turn: index + 1,
          previousCustomer,
          approvalSoughtEarlier: learnerTurns.at(-1)?.approvalSought ?? false,
          earlierCustomers: [...earlierCustomers],
          factsUncovered: new Set([...told, ...learnerTurns.flatMap((t) => t.factsAsked)]),
        }),
      );
  });
  return { scenario, learnerTurns };
}
