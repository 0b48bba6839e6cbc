/**
 * The learner's commands, typed or sent from a card. A command is the whole message ("end",
 * "start gym-cancellation-fee"), so a reply to the customer that merely contains a word is never
 * taken for one.
 */
import { readCardSubmit, type CardSubmit } from './cards/card-actions.ts';

export type Command =
  | { kind: 'help' }
  | { kind: 'scenarios'; problemType?: string; difficulty?: string }
  | { kind: 'start'; scenarioId: string }
  | { kind: 'end'; rehearsalId?: string }
  | { kind: 'resume'; rehearsalId?: string }
  | { kind: 'mode'; mode: 'practice' | 'assessment' }
  | { kind: 'badMode'; said: string }
  | { kind: 'history' }
  | { kind: 'historyItem'; number: number }
  | { kind: 'historyRecord'; recordId: string }
  | { kind: 'join'; code: string }
  | { kind: 'name'; name: string }
  | { kind: 'myData' }
  | { kind: 'privacy' }
  | { kind: 'badCard' };

export const HELP_TEXT = [
  'Commands:',
  '- **scenarios**: choose a scenario to rehearse',
  '- **start** *scenario-id*: start that scenario',
  '- **end**: finish the rehearsal and get your debrief',
  '- **resume**: take up, here, a rehearsal you left unfinished in another conversation',
  '- **mode practice** (coaching hints after weak replies) or **mode assessment** (no hints)',
  '- **history**: your past rehearsals, scores and tutor feedback; **history** *n* opens one',
  "- **join** *code*: join your tutor's group with the code they gave you",
  '- **name** *your name*: the name your tutor sees on your evidence',
  '- **my data**: a copy of everything kept about you; **privacy**: what is kept, and for how long',
  '- **help**: this list',
].join('\n');

export function readCommand(text: string | undefined, value: unknown): Command | undefined {
  if (value !== undefined && value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    const submit: CardSubmit | undefined = readCardSubmit(value);
    if (!submit) return { kind: 'badCard' };
    if (submit.action === 'start') return { kind: 'start', scenarioId: submit.scenarioId };
    if (submit.action === 'end') return { kind: 'end', rehearsalId: submit.rehearsalId };
    if (submit.action === 'open') return { kind: 'historyRecord', recordId: submit.recordId };
    if (submit.action === 'resume') return { kind: 'resume', rehearsalId: submit.rehearsalId };
    return {
      kind: 'scenarios',
      ...(submit.problemType ? { problemType: submit.problemType } : {}),
      ...(submit.difficulty ? { difficulty: submit.difficulty } : {}),
    };
  }
  const said = (text ?? '').trim().replace(/^\//, '').replace(/\s+/g, ' ');
  const lower = said.toLowerCase();
  if (lower === 'help' || lower === '?') return { kind: 'help' };
  if (lower === 'scenarios' || lower === 'start') return { kind: 'scenarios' };
  if (lower === 'end' || lower === 'quit') return { kind: 'end' };
  if (lower === 'history') return { kind: 'history' };
  if (lower === 'resume') return { kind: 'resume' };
  if (lower === 'my data' || lower === 'mydata') return { kind: 'myData' };
  if (lower === 'privacy') return { kind: 'privacy' };
  const join = /^join (.{1,40})$/.exec(lower);
  if (join) return { kind: 'join', code: join[1]! };
  // The name as typed (not lowercased): it is how the learner wants to be called.
  const name = /^name (.{1,200})$/i.exec(said);
  if (name) return { kind: 'name', name: name[1]!.trim() };
  const item = /^history (\d{1,3})$/.exec(lower);
  if (item) return { kind: 'historyItem', number: Number(item[1]) };
  const start = /^start ([a-z0-9-]{1,200})$/.exec(lower);
  if (start) return { kind: 'start', scenarioId: start[1]! };
  const mode = /^mode(?: (\S+))?$/.exec(lower);
  if (mode)
    return mode[1] === 'practice' || mode[1] === 'assessment' ? { kind: 'mode', mode: mode[1] } : { kind: 'badMode', said: mode[1] ?? '' };
  return undefined;
}
