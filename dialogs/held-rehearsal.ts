/**
 * A rehearsal dialog as another conversation's stored state holds it, read and let go outside a
 * turn of that conversation: when the learner takes it up in a new conversation, and when a
 * rehearsal left unfinished is kept as abandoned.
 *
 * @remarks
 * The state is botbuilder's ConversationState document: the dialog stack under `dialogState` (the
 * conversation flow's property), each dialog an `{ id, state }`. Letting go is one write checked
 * against the eTag read, so a turn of that conversation meanwhile wins and nothing is written over;
 * the same write leaves a note for the conversation's next message, saying where the rehearsal went.
 */
import { z } from 'zod';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { REHEARSAL_DIALOG_ID, type RehearsalDialogState } from './rehearsal-dialog-state.ts';

/** The conversation flow's state properties that this reads and writes. */
export const DIALOG_STATE_PROPERTY = 'dialogState';
export const CLOSED_REHEARSAL_PROPERTY = 'closedRehearsal';

/** What the conversation's next message is told of a rehearsal that left it. */
export interface ClosedRehearsal {
  title: string;
  /** Taken up in another conversation; scored and kept as abandoned; or closed with nothing to keep. */
  how: 'moved' | 'abandoned' | 'dropped';
}

export interface HeldRehearsal {
  state: RehearsalDialogState;
  /** The whole conversation state and its eTag, to let the rehearsal go from. */
  document: Record<string, unknown>;
  eTag: string;
}

interface DialogInstance {
  id?: unknown;
  state?: { rehearsalId?: unknown };
}

/**
 * What is read of a held rehearsal's state before it is acted on; the rest is the dialog's own
 * (dialogs/rehearsal-dialog.ts). A state that is not even this (damaged, or a later version's) is
 * taken as not held: it is never offered, and never taken up or kept from here.
 */
const HeldStateSchema = z.looseObject({
  rehearsalId: z.string(),
  scenarioId: z.string(),
  mode: z.enum(['practice', 'assessment']),
  learner: z.looseObject({ id: z.string() }),
  startedAt: z.string(),
  lastTurnAt: z.string().optional(),
  rehearsal: z.looseObject({}),
});

/** The rehearsal's dialog in the conversation state at `stateKey`, if it is still there (and readable). */
export async function findHeld(store: KeyValueStore, stateKey: string, rehearsalId: string): Promise<HeldRehearsal | undefined> {
  const item = (await store.read([stateKey]))[stateKey];
  if (!item || typeof item.value !== 'object' || item.value === null) return undefined;
  const document = item.value as Record<string, unknown>;
  const instance = stackOf(document).find(isRehearsal(rehearsalId));
  if (!instance || !HeldStateSchema.safeParse(instance.state).success) return undefined;
  return { state: instance.state as unknown as RehearsalDialogState, document, eTag: item.eTag };
}

/**
 * Marks the held rehearsal as ending (as the dialog does before it saves evidence), checked against
 * what was read: from then on no other conversation can take it up, and a turn of its own finds its
 * evidence. Returns it as now stored, or undefined if a turn changed the conversation meanwhile.
 */
export async function claimEnding(
  store: KeyValueStore,
  stateKey: string,
  held: HeldRehearsal,
  ttlMs: number | undefined,
): Promise<HeldRehearsal | undefined> {
  const state = { ...held.state, ending: true as const };
  const stack = stackOf(held.document).map((instance) =>
    isRehearsal(held.state.rehearsalId)(instance) ? { ...instance, state } : instance,
  );
  const dialogState = (held.document[DIALOG_STATE_PROPERTY] ?? {}) as Record<string, unknown>;
  const document = { ...held.document, [DIALOG_STATE_PROPERTY]: { ...dialogState, dialogStack: stack } };
  const outcome = (await store.write([{ key: stateKey, value: document, eTag: held.eTag, ...(ttlMs === undefined ? {} : { ttlMs }) }]))[
    stateKey
  ];
  return outcome?.written ? { state, document, eTag: outcome.eTag } : undefined;
}

/**
 * Takes the rehearsal (and anything begun above it) off that conversation's stack, leaving the
 * note; says whether it did: false if a turn changed the conversation since it was read.
 */
export async function letGo(
  store: KeyValueStore,
  stateKey: string,
  held: HeldRehearsal,
  closed: ClosedRehearsal,
  ttlMs: number | undefined,
): Promise<boolean> {
  const stack = stackOf(held.document);
  const at = stack.findIndex(isRehearsal(held.state.rehearsalId));
  const dialogState = (held.document[DIALOG_STATE_PROPERTY] ?? {}) as Record<string, unknown>;
  const document = {
    ...held.document,
    [DIALOG_STATE_PROPERTY]: { ...dialogState, dialogStack: at < 0 ? stack : stack.slice(0, at) },
    [CLOSED_REHEARSAL_PROPERTY]: closed,
  };
  const outcome = (await store.write([{ key: stateKey, value: document, eTag: held.eTag, ...(ttlMs === undefined ? {} : { ttlMs }) }]))[
    stateKey
  ];
  return outcome?.written === true;
}

function stackOf(document: Record<string, unknown>): DialogInstance[] {
  const stack = (document[DIALOG_STATE_PROPERTY] as { dialogStack?: unknown } | undefined)?.dialogStack;
  return Array.isArray(stack) ? (stack as DialogInstance[]) : [];
}

const isRehearsal = (rehearsalId: string) => (instance: DialogInstance) =>
  instance.id === REHEARSAL_DIALOG_ID && instance.state?.rehearsalId === rehearsalId;
