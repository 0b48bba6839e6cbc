/**
 * What a learner is told when a turn fails: by how far the turn got, so what they do next is right
 * for what was and was not taken (the dialog tests show what each next message then does).
 */
import { describe, expect, it } from 'vitest';
import { apologyFor } from '../bot/turn-apology.ts';
import { TurnBusyError } from '../store/conversation-turns.ts';
import { StoreUnavailableError } from '../store/key-value-store.ts';

/** botbuilder-dialogs wraps what a dialog throws; the apology must see through it. */
const wrapped = (error: Error) => Object.assign(new Error(error.message), { name: 'DialogContextError', error });

describe('the apology for a failed turn', () => {
  it('asks for the message again when nothing was taken and the store or the conversation was busy', () => {
    expect(apologyFor(wrapped(new StoreUnavailableError('Redis could not be reached')), 'ab12cd34', 'not taken')).toMatch(
      /^Your rehearsal is paused.*send the same message again/,
    );
    expect(apologyFor(new TurnBusyError(), 'ab12cd34', 'not taken')).toMatch(/still working on your previous message.*send that again/);
  });

  it('asks for the same message again when the turn was taken but its answer may not have arrived', () => {
    expect(apologyFor(new StoreUnavailableError('x'), 'ab12cd34', 'committed')).toMatch(/Send the same message again/);
  });

  it('never asks for the message again once the learner has the answer, the debrief or has ended', () => {
    for (const progress of ['answered', 'ending', 'debriefed'] as const) {
      const text = apologyFor(new StoreUnavailableError('x'), 'ab12cd34', progress);
      expect({ progress, text }).not.toEqual({ progress, text: expect.stringMatching(/same message again|send that again/i) });
    }
    expect(apologyFor(new Error('bug'), 'ab12cd34', 'answered')).toMatch(/Carry on with your next reply.*ab12cd34/);
    expect(apologyFor(new Error('bug'), 'ab12cd34', 'ending')).toMatch(/has ended.*debrief.*Send any message/);
    expect(apologyFor(new Error('bug'), 'ab12cd34', 'debriefed')).toMatch(/Your debrief is above.*reflection/);
  });

  it('gives a reference for our own faults, and never the error itself', () => {
    const text = apologyFor(new Error('SQLITE_CORRUPT in /data/servicesim.db'), 'ab12cd34', 'not taken');
    expect(text).toMatch(/Sorry, something went wrong on our side.*Reference ab12cd34/);
    expect(text).not.toMatch(/SQLITE|servicesim\.db/);
  });
});
