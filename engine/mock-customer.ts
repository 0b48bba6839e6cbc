/**
 * A customer for tests of the conversation flow, which should not depend on the scripted
 * customer's wording: it says the lines it is given, in order, records every call it gets, and
 * ends the conversation when told to.
 */
import type { ComponentIdentity } from './component-identity.ts';
import type { Customer, CustomerOpenInput, CustomerReply, CustomerTurnInput, EndReason } from './customer.ts';

export interface MockCustomerSettings {
  opening?: string;
  /** Said in answer to the learner's turns, in order; then `Reply <n>.` */
  replies?: string[];
  /** End the conversation after this many learner turns. */
  endAfter?: number;
  endReason?: EndReason;
  /** Take this long to reply, as a customer played by a model would. */
  delayMs?: number;
}

export type MockCustomerCall = { method: 'open'; input: CustomerOpenInput } | { method: 'reply'; input: CustomerTurnInput };

export interface MockCustomer extends Customer {
  readonly calls: MockCustomerCall[];
}

const MOCK_CUSTOMER_IDENTITY: ComponentIdentity = { kind: 'mock', id: 'mock-customer', version: '1' };

export function createMockCustomer(settings: MockCustomerSettings = {}): MockCustomer {
  const calls: MockCustomerCall[] = [];
  const reply = (turns: number): CustomerReply => {
    const ended = settings.endAfter !== undefined && turns >= settings.endAfter;
    return {
      text: turns === 0 ? (settings.opening ?? 'Hello, I have a problem.') : (settings.replies?.[turns - 1] ?? `Reply ${turns}.`),
      state: { kind: 'mock', version: 1, turns },
      status: { mood: 2, ended, ...(ended ? { endReason: settings.endReason ?? 'agreed' } : {}) },
    };
  };
  return {
    identity: MOCK_CUSTOMER_IDENTITY,
    calls,
    async open(input) {
      calls.push({ method: 'open', input });
      return reply(0);
    },
    async reply(input) {
      calls.push({ method: 'reply', input });
      if (settings.delayMs) await new Promise((resolve) => setTimeout(resolve, settings.delayMs));
      return reply(Number(input.state.turns ?? 0) + 1);
    },
  };
}
