/**
 * Cohorts end to end, through the real server: a tutor creates a cohort through the API, a learner
 * joins it from the bot (giving a name first in the local page, which sends none), the tutor then
 * reviews that learner, assigns a scenario, and the learner sees it first in their picker, rehearses
 * it in the assigned mode, and is reminded the day before it is due.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementProblems } from '../engine/xapi-statement-rules.ts';
import { AuditLog, learnerReference } from '../store/audit-log.ts';
import { dayBefore, ukDayOf } from '../engine/assignment-progress.ts';
import { startBotServer, type RunningBot } from './bot-server.ts';
import { sayAsLocalPage, type Reply } from './local-page-message.ts';
import { addTutor, localLearner } from './review-fixtures.ts';

let bot: RunningBot;
let clock = new Date();
let ann: string;
let tess: string;

beforeAll(async () => {
  bot = await startBotServer({}, undefined, { review: { now: () => clock } });
  ann = (await addTutor(bot.state, 'ann@example.org', { name: 'Ann Tutor' })).token;
  tess = (await addTutor(bot.state, 'tess@example.org')).token;
}, 60_000);
afterAll(async () => {
  await bot?.close();
});

const api = (token: string, path: string, body?: unknown) =>
  fetch(`${bot.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const texts = (replies: Reply[]) => replies.map((r) => r.text ?? JSON.stringify(r.attachments)).join('\n');

/** A day some days from today (UK), as YYYY-MM-DD. */
const daysFromNow = (days: number) => ukDayOf(new Date(Date.now() + days * 24 * 60 * 60 * 1000));

describe('a cohort', () => {
  let cohort: { id: string; joinCode: string };
  const conversation = 'cohort-learner';
  const learnerId = localLearner(conversation);

  it('is created through the API with a join code; bad input names its field', async () => {
    const created = await api(ann, '/api/cohorts', { name: 'CS17 Tuesday group', unit: 'CS17' });
    expect(created.status).toBe(201);
    cohort = (await created.json()) as typeof cohort;
    expect(cohort.joinCode).toMatch(/^[A-Z2-9]{6}$/);
    const unknownUnit = await api(ann, '/api/cohorts', { name: 'X', unit: 'CS99' });
    expect(unknownUnit.status).toBe(400);
    expect(await unknownUnit.json()).toMatchObject({ field: 'unit' });
    const noName = await api(ann, '/api/cohorts', { unit: 'CS17' });
    expect(await noName.json()).toMatchObject({ field: 'name' });
    const extra = await api(ann, '/api/cohorts', { name: 'X', owner: 'someone' });
    expect(extra.status).toBe(400);
    expect((await (await api(tess, `/api/cohorts/${cohort.id}`)).json()) as unknown).toEqual({ error: 'no such cohort' });
  });

  it('is joined from the local page: the learner gives a name first, once, and a wrong code is said to be wrong', async () => {
    // A mistyped code is said to be wrong at once, before the learner is asked anything more.
    const mistyped = texts(await sayAsLocalPage(bot.url, conversation, 'join QQQQQQ', undefined, { name: null }));
    expect(mistyped).toMatch(/There is no group with the code \*\*QQQQQQ\*\*/);
    const asked = texts(await sayAsLocalPage(bot.url, conversation, `join ${cohort.joinCode.toLowerCase()}`, undefined, { name: null }));
    expect(asked).toMatch(/To join \*\*CS17 Tuesday group\*\*: what name should your tutor see/);
    // A name that cannot be one is refused, and asked for again in a word.
    expect(texts(await sayAsLocalPage(bot.url, conversation, '🙂🙂', undefined, { name: null }))).toMatch(
      /A name is letters[^]*Please type your name again/,
    );
    const joined = texts(await sayAsLocalPage(bot.url, conversation, 'Priya Shah', undefined, { name: null }));
    expect(joined).toMatch(/You have joined \*\*CS17 Tuesday group\*\* \(unit CS17\) as Priya Shah/);
    const wrong = texts(await sayAsLocalPage(bot.url, conversation, 'join ABCDEF', undefined, { name: null }));
    expect(wrong).toMatch(/There is no group with the code \*\*ABCDEF\*\*/);
    const again = texts(await sayAsLocalPage(bot.url, conversation, `join ${cohort.joinCode}`, undefined, { name: null }));
    expect(again).toMatch(/already in \*\*CS17 Tuesday group\*\*, as Priya Shah/);
    const view = (await (await api(ann, `/api/cohorts/${cohort.id}`)).json()) as { members: Array<{ learnerId: string; name: string }> };
    expect(view.members).toEqual([expect.objectContaining({ learnerId, name: 'Priya Shah' })]);
  });

  it('gives its tutor the learner to review, and no other tutor', async () => {
    const picker = JSON.stringify(await sayAsLocalPage(bot.url, conversation, 'start faulty-washing-machine', undefined, { name: null }));
    expect(picker).toContain('Practice mode');
    await sayAsLocalPage(bot.url, conversation, "I'm sorry about that. What happened?", undefined, { name: null });
    await sayAsLocalPage(bot.url, conversation, 'end', undefined, { name: null });
    const annSees = (await (await api(ann, '/api/rehearsals')).json()) as { items: Array<{ learner: { id: string; name?: string } }> };
    expect(annSees.items.map((i) => i.learner)).toEqual([{ id: learnerId, name: 'Priya Shah' }]);
    const tessSees = (await (await api(tess, '/api/rehearsals')).json()) as { items: unknown[] };
    expect(tessSees.items).toEqual([]);
  });

  it('takes an assignment, which the learner sees first in the picker and rehearses in its mode; the tutor sees who has done it', async () => {
    const due = daysFromNow(3);
    const past = await api(ann, `/api/cohorts/${cohort.id}/assignments`, {
      scenario: 'gym-cancellation-fee',
      due: '2020-01-01',
      mode: 'assessment',
    });
    expect(await past.json()).toMatchObject({ field: 'due' });
    const unknown = await api(ann, `/api/cohorts/${cohort.id}/assignments`, { scenario: 'no-such-scenario', due, mode: 'assessment' });
    expect(await unknown.json()).toMatchObject({ field: 'scenario' });
    const badMode = await api(ann, `/api/cohorts/${cohort.id}/assignments`, { scenario: 'gym-cancellation-fee', due, mode: 'exam' });
    expect(await badMode.json()).toMatchObject({ field: 'mode' });
    const notTheirs = await api(tess, `/api/cohorts/${cohort.id}/assignments`, {
      scenario: 'gym-cancellation-fee',
      due,
      mode: 'assessment',
    });
    expect(notTheirs.status).toBe(404);
    const assigned = await api(ann, `/api/cohorts/${cohort.id}/assignments`, { scenario: 'gym-cancellation-fee', due, mode: 'assessment' });
    expect(assigned.status).toBe(201);

    const card = JSON.stringify(await sayAsLocalPage(bot.url, conversation, 'scenarios', undefined, { name: null }));
    const assignedAt = card.indexOf('Assigned to you');
    expect(assignedAt).toBeGreaterThan(-1);
    expect(card.indexOf('gym-cancellation-fee')).toBeGreaterThan(assignedAt);
    expect(card.indexOf('gym-cancellation-fee')).toBeLessThan(card.indexOf('All scenarios'));
    expect(card).toMatch(/Due \w{3} \d{1,2} \w{3} \d{4} · assessment · CS17 Tuesday group/);

    // Started in practice mode, but assigned as an assessment: rehearsed as one, without hints.
    const briefing = JSON.stringify(await sayAsLocalPage(bot.url, conversation, 'start gym-cancellation-fee', undefined, { name: null }));
    expect(briefing).toContain('Assessment mode');
    let progress = (await (await api(ann, `/api/cohorts/${cohort.id}`)).json()) as {
      assignments: Array<{ progress: Array<{ done: boolean; latest: unknown }> }>;
    };
    expect(progress.assignments[0]!.progress).toEqual([expect.objectContaining({ done: false, latest: null })]);
    await sayAsLocalPage(bot.url, conversation, 'I understand. Can you tell me why you want to cancel?', undefined, { name: null });
    await sayAsLocalPage(bot.url, conversation, 'end', undefined, { name: null });
    progress = (await (await api(ann, `/api/cohorts/${cohort.id}`)).json()) as typeof progress;
    const done = progress.assignments[0]!.progress[0]! as { done: boolean; latest: { levels: Record<string, { level: number | null }> } };
    expect(done.done).toBe(true);
    expect(Object.keys(done.latest.levels).length).toBeGreaterThan(0);
    // The tutor moves the due date: what was done stays done.
    await api(ann, `/api/cohorts/${cohort.id}/assignments`, { scenario: 'gym-cancellation-fee', due: daysFromNow(6), mode: 'assessment' });
    progress = (await (await api(ann, `/api/cohorts/${cohort.id}`)).json()) as typeof progress;
    expect(progress.assignments[0]!.progress[0]!.done).toBe(true);
    // Done: no longer offered as assigned.
    expect(JSON.stringify(await sayAsLocalPage(bot.url, conversation, 'scenarios', undefined, { name: null }))).not.toContain(
      'Assigned to you',
    );
  });

  it("exports the cohort's rehearsals as CSV, JSON and xAPI statements, for its tutors only, each export audited", async () => {
    const csv = await api(ann, `/api/export/rehearsals.csv?cohort=${cohort.id}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="servicesim-cohort-[0-9a-f]+-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parse(await csv.text(), { columns: true, bom: true }) as Array<Record<string, string>>;
    const scenarios = new Set(rows.map((r) => r.scenario_id));
    expect(scenarios).toEqual(new Set(['faulty-washing-machine', 'gym-cancellation-fee']));
    expect(new Set(rows.map((r) => r.learner_name))).toEqual(new Set(['Priya Shah']));
    expect(new Set(rows.map((r) => r.cohort))).toEqual(new Set(['CS17 Tuesday group']));
    const json = (await (await api(ann, `/api/export/rehearsals.json?cohort=${cohort.id}`)).json()) as {
      count: number;
      rehearsals: unknown[];
    };
    expect(json.count).toBe(2);
    const xapi = await api(ann, `/api/export/xapi?cohort=${cohort.id}`);
    const statements = (await xapi.json()) as Array<{ verb: { id: string } }>;
    expect(xapi.status, JSON.stringify(statements)).toBe(200);
    // Attempted and completed for each of the two rehearsals, every one valid xAPI 1.0.3.
    expect(statements.map((s) => s.verb.id.split('/').at(-1)).sort()).toEqual(['attempted', 'attempted', 'completed', 'completed']);
    expect(statements.flatMap((s) => statementProblems(s))).toEqual([]);
    expect((await api(tess, `/api/export/rehearsals.csv?cohort=${cohort.id}`)).status).toBe(404);
    // Tess reviews no one: her export of everything she may see is empty.
    expect(parse(await (await api(tess, '/api/export/rehearsals.csv')).text(), { columns: true, bom: true })).toEqual([]);
    const audit = await new AuditLog({ store: bot.state }).list();
    const exports = audit.filter((e) => e.action === 'export').map((e) => [e.who, e.subject, e.detail]);
    // In any order: entries made in the same millisecond have no order between them.
    expect(exports.sort()).toEqual(
      [
        ['tess@example.org', 'all', 'csv, 0 rehearsals'],
        ['ann@example.org', `cohort:${cohort.id}`, 'json, 2 rehearsals'],
        ['ann@example.org', `cohort:${cohort.id}`, 'xapi, 2 rehearsals'],
        ['ann@example.org', `cohort:${cohort.id}`, 'csv, 2 rehearsals'],
      ].sort(),
    );
  });

  it('reminds a learner who has not done an assignment, the day before it is due, once', async () => {
    const due = daysFromNow(5);
    const other = 'cohort-latecomer';
    await sayAsLocalPage(bot.url, other, `join ${cohort.joinCode}`);
    await api(ann, `/api/cohorts/${cohort.id}/assignments`, { scenario: 'car-service-not-done', due, mode: 'practice' });
    expect(await bot.reminders.remindDue()).toBe(0);
    clock = new Date(`${dayBefore(due)}T09:00:00Z`);
    try {
      // Both learners are reminded (neither has done it); a second pass sends nothing more.
      expect(await bot.reminders.remindDue()).toBe(2);
      expect(await bot.reminders.remindDue()).toBe(0);
    } finally {
      clock = new Date();
    }
    // The tutor moves the date: the reminder goes again, for the new day.
    const later = daysFromNow(8);
    await api(ann, `/api/cohorts/${cohort.id}/assignments`, { scenario: 'car-service-not-done', due: later, mode: 'practice' });
    clock = new Date(`${dayBefore(later)}T09:00:00Z`);
    try {
      expect(await bot.reminders.remindDue()).toBe(2);
    } finally {
      clock = new Date();
    }
    const mailbox = (await (await fetch(`${bot.url}/local/conversations/${other}/activities`)).json()) as { activities: Reply[] };
    expect(mailbox.activities.map((a) => a.text)).toEqual([
      expect.stringMatching(/Reminder from \*\*CS17 Tuesday group\*\*: \*\*.+\*\* \(practice\) is due tomorrow/),
      expect.stringMatching(/is due tomorrow/),
    ]);
  });

  it('gives the learner a copy of their data through a short-lived link, and tells them what is kept', async () => {
    const privacy = texts(await sayAsLocalPage(bot.url, conversation, 'privacy', undefined, { name: null }));
    expect(privacy).toMatch(/What ServiceSim keeps about you/);
    expect(privacy).toMatch(/groups \(cohorts\) you have joined/);
    const reply = texts(await sayAsLocalPage(bot.url, conversation, 'my data', undefined, { name: null }));
    // Absolute: Web Chat opens no relative link.
    const link = /\]\((http:\/\/127\.0\.0\.1:\d+\/learner\/data\/[A-Za-z0-9_-]{32})\)/.exec(reply)?.[1];
    expect(link, reply).toBeDefined();
    const download = await fetch(link!);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="servicesim-my-data.json"');
    const copy = (await download.json()) as {
      learner: { id: string };
      rehearsals: unknown[];
      other: Array<{ data: Array<{ cohort: string }> }>;
    };
    expect(copy.learner.id).toBe(learnerId);
    expect(copy.rehearsals).toHaveLength(2);
    expect(copy.other[0]!.data.map((c) => c.cohort)).toEqual(['CS17 Tuesday group']);
    expect((await fetch(`${bot.url}/learner/data/${'x'.repeat(32)}`)).status).toBe(404);
    const copies = (await new AuditLog({ store: bot.state }).list()).filter((e) => e.action === 'data-copy');
    expect(copies.map((e) => [e.who, e.subject])).toEqual([[`learner:${learnerId}`, learnerId]]);
  });

  it('is left by a learner an admin erases, with every trace of them in the store; a tutor may not erase', async () => {
    const admin = (await addTutor(bot.state, 'boss@example.org', { role: 'admin' })).token;
    const erase = (token: string) =>
      fetch(`${bot.url}/api/learners/${encodeURIComponent(learnerId)}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await erase(ann)).status).toBe(403);
    const erased = await erase(admin);
    expect(erased.status).toBe(200);
    // The admin reads who did what in the audit log; a tutor may not.
    expect((await api(ann, '/api/audit')).status).toBe(403);
    const audit = (await (await api(admin, '/api/audit')).json()) as { items: Array<{ who: string; action: string; subject: string }> };
    expect(audit.items[0]).toMatchObject({ who: 'boss@example.org', action: 'erase', subject: learnerReference(learnerId) });
    expect(audit.items.map((e) => e.subject)).not.toContain(learnerId);
    expect(await (await api(admin, '/api/audit?from=yesterday')).json()).toMatchObject({ field: 'from' });
    expect(await erased.json()).toMatchObject({ erased: { records: 2, held: { 'cohort memberships': 1, 'data copy links': 1 } } });
    expect(((await (await api(ann, '/api/rehearsals')).json()) as { items: unknown[] }).items).toEqual([]);
    const view = (await (await api(ann, `/api/cohorts/${cohort.id}`)).json()) as { members: Array<{ learnerId: string }> };
    expect(view.members.map((m) => m.learnerId)).toEqual([localLearner('cohort-latecomer')]);
    // Nothing of theirs is left in any table of the store's file: not their id, their name or their words.
    const db = new Database(path.join(bot.dataDir, 'servicesim.db'), { readonly: true });
    try {
      const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      const everything = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all())).join('\n');
      expect(everything).toContain(localLearner('cohort-latecomer'));
      expect(
        ['learner-of-cohort-learner', 'Priya Shah', 'Can you tell me why you want to cancel'].filter((t) => everything.includes(t)),
      ).toEqual([]);
    } finally {
      db.close();
    }
    // Nor in the bytes on disk: deleted rows are zeroed, and the write-ahead log was checkpointed and emptied.
    for (const file of ['servicesim.db', 'servicesim.db-wal']) {
      const where = path.join(bot.dataDir, file);
      const bytes = existsSync(where) ? readFileSync(where).toString('latin1') : '';
      expect(
        ['learner-of-cohort-learner', 'Priya Shah'].filter((t) => bytes.includes(t)),
        file,
      ).toEqual([]);
    }
  });
});
