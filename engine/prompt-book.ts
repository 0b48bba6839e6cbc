/**
 * The prompts the LLM customer and judge speak with, behind one small interface: the engine fills
 * them from the scenario and the conversation, and never reads a prompt file or a template library
 * itself (`model/prompt-files.ts` does, with LangChain's templates). Each prompt has a version,
 * kept with every evidence record, so a score can be traced to the words that produced it.
 */
import type { ChatMessage } from './language-model.ts';

/** What the customer's prompt is filled with; every value is plain text prepared by the engine. */
export interface CustomerPromptFill {
  customerName: string;
  organisation: string;
  sector: string;
  channel: string;
  learnerRole: string;
  traits: string;
  opening: string;
  wants: string;
  /** What the customer has revealed so far, beyond the opening. */
  told: string;
  /** The last few exchanges, oldest first: a bounded window, so a turn's prompt does not grow with the rehearsal. */
  window: readonly ChatMessage[];
  learnerText: string;
  mood: string;
  /** What the engine decided the customer says this turn. */
  meaning: string;
  /** Whether this reply ends the conversation, in words. */
  ending: string;
}

export interface JudgePromptFill {
  scenario: string;
  rubric: string;
  transcript: string;
  /** The rules' findings, for the hybrid judge; absent for the LLM judge alone. */
  findings?: string;
}

export const PROMPT_NAMES = ['customer', 'reader', 'judge'] as const;
export type PromptName = (typeof PROMPT_NAMES)[number];

export interface PromptBook {
  readonly versions: Readonly<Record<PromptName, string>>;
  /** The customer's messages, the reader's instructions included: one call gives the reply and the reading. */
  customer(fill: CustomerPromptFill): Promise<ChatMessage[]>;
  judge(fill: JudgePromptFill): Promise<ChatMessage[]>;
}
