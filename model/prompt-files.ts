/**
 * The prompt files in `prompts/` made into a PromptBook with LangChain's chat prompt templates:
 * mustache placeholders, a message list with a placeholder for the conversation window, and
 * the check that each file asks for exactly the values the engine fills (a misspelt placeholder
 * is an error when the files are loaded, not a prompt with a hole in it at the first rehearsal).
 *
 * @remarks
 * The fixed parts are given as literal system messages, never as templates: they are the same in
 * every call, first, so a provider's prompt cache serves them, and braces in them mean nothing.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { parse } from 'yaml';
import { z } from 'zod';
import type { ChatMessage } from '../engine/language-model.ts';
import type { CustomerPromptFill, JudgePromptFill, PromptBook, PromptName } from '../engine/prompt-book.ts';

export const DEFAULT_PROMPTS_DIR = fileURLToPath(new URL('../prompts', import.meta.url));

const text = z.string().trim().min(1);
const version = z.union([z.string(), z.number()]).transform(String);
const FILES = {
  customer: z.strictObject({ version, instructions: text, scenario: text, turn: text }),
  reader: z.strictObject({ version, instructions: text }),
  judge: z.strictObject({ version, instructions: text, hybridInstructions: text, scenario: text, transcript: text, findings: text }),
} as const;

/** A prompt file that cannot be used: names the file and what is wrong. */
export class PromptFileError extends Error {}

async function readPromptFile<N extends PromptName>(dir: string, name: N): Promise<z.infer<(typeof FILES)[N]>> {
  const file = path.join(dir, `${name}.yaml`);
  let data: unknown;
  try {
    data = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new PromptFileError(`${file}: ${(error as Error).message}`);
  }
  const parsed = FILES[name].safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PromptFileError(`${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  return parsed.data as z.infer<(typeof FILES)[N]>;
}

/** Refuses a template whose placeholders differ from what the engine fills. */
function expectVariables(prompt: ChatPromptTemplate, expected: readonly string[], file: string): void {
  const found = [...prompt.inputVariables].sort();
  const wanted = [...expected].sort();
  const unknown = found.filter((v) => !wanted.includes(v));
  if (unknown.length > 0)
    throw new PromptFileError(
      `${file}: unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((v) => `{{${v}}}`).join(', ')}; it may use ${wanted.map((v) => `{{${v}}}`).join(', ')}`,
    );
}

const CUSTOMER_VARIABLES = [
  'customerName',
  'organisation',
  'sector',
  'channel',
  'learnerRole',
  'traits',
  'opening',
  'wants',
  'told',
  'window',
  'learnerText',
  'mood',
  'meaning',
  'ending',
] as const satisfies ReadonlyArray<keyof CustomerPromptFill>;

export async function loadPromptBook(dir: string = DEFAULT_PROMPTS_DIR): Promise<PromptBook> {
  const [customer, reader, judge] = await Promise.all([
    readPromptFile(dir, 'customer'),
    readPromptFile(dir, 'reader'),
    readPromptFile(dir, 'judge'),
  ]);
  const mustache = { templateFormat: 'mustache' as const };
  const customerPrompt = ChatPromptTemplate.fromMessages(
    [
      new SystemMessage(`${customer.instructions.trim()}\n\n${reader.instructions.trim()}`),
      ['system', customer.scenario],
      new MessagesPlaceholder('window'),
      ['human', customer.turn],
    ],
    mustache,
  );
  expectVariables(customerPrompt, CUSTOMER_VARIABLES, path.join(dir, 'customer.yaml'));
  const judgeParts = (hybrid: boolean) =>
    ChatPromptTemplate.fromMessages(
      [
        new SystemMessage(hybrid ? `${judge.instructions.trim()}\n\n${judge.hybridInstructions.trim()}` : judge.instructions.trim()),
        ['system', judge.scenario],
        ['human', hybrid ? `${judge.transcript}\n${judge.findings}` : judge.transcript],
      ],
      mustache,
    );
  const judgePrompt = judgeParts(false);
  const hybridPrompt = judgeParts(true);
  expectVariables(hybridPrompt, ['scenario', 'rubric', 'transcript', 'findings'], path.join(dir, 'judge.yaml'));
  return {
    versions: { customer: customer.version, reader: reader.version, judge: judge.version },
    async customer(fill) {
      const messages = await customerPrompt.formatMessages({ ...fill, window: fill.window.map(toLangChain) });
      return messages.map(fromLangChain);
    },
    async judge({ findings, ...fill }: JudgePromptFill) {
      const messages =
        findings === undefined ? await judgePrompt.formatMessages(fill) : await hybridPrompt.formatMessages({ ...fill, findings });
      return messages.map(fromLangChain);
    },
  };
}

function toLangChain(message: ChatMessage): BaseMessage {
  if (message.role === 'assistant') return new AIMessage(message.content);
  if (message.role === 'system') return new SystemMessage(message.content);
  return new HumanMessage(message.content);
}

function fromLangChain(message: BaseMessage): ChatMessage {
  const type = message.getType();
  const role = type === 'ai' ? 'assistant' : type === 'system' ? 'system' : 'user';
  return { role, content: typeof message.content === 'string' ? message.content : JSON.stringify(message.content) };
}
