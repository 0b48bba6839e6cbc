/**
 * A rehearsal and its reviews as xAPI statements: what they say (who, what, when, which scores),
 * that they keep the xAPI 1.0.3 rules, that their ids are the same every time they are built, and
 * that the rules catch a statement that breaks them, one rule family at a time, naming the path.
 */
import { describe, expect, it } from 'vitest';
import type { TutorReview } from '../engine/tutor-review.ts';
import { statementProblems, type XapiStatement } from '../engine/xapi-statement-rules.ts';
import { xapiBatchesOf, xapiStatementsOf, type XapiOptions } from '../engine/xapi-statements.ts';
import { evidenceRecord, reportWith } from './store-conformance.ts';

const SITE = 'https://servicesim.example.ac.uk';
const OPTIONS: XapiOptions = {
  homePage: SITE,
  dimensionNames: { 'dimension-0': 'Listening and understanding', 'dimension-1': 'Clear explanation' },
  cohorts: [{ id: 'cs-2026-autumn', name: 'Customer service, autumn 2026' }],
};

/** Levels 2, 1 and no occasion; one authority breach; ten minutes long. */
const record = evidenceRecord({ report: reportWith([2, 1, null], 1) });

function review(overrides: Partial<TutorReview> = {}): TutorReview {
  return {
    id: 'rev-1',
    recordId: 'r1',
    reviewer: { id: 'tenant-1/tutor-7', name: 'Alex Tutor' },
    at: '2026-11-24T09:00:00.000Z',
    dimensions: { 'dimension-1': { level: 3, reason: 'Explained the refund rules clearly.' } },
    comments: [],
    feedback: 'Good listening; check the limit before offering a refund.',
    verdict: 'meets-standard',
    ...overrides,
  };
}

const byVerb = (statements: XapiStatement[], verb: string) => statements.find((s) => s.verb.id.endsWith(`/${verb}`))!;
const dimensionIri = (id: string) => `${SITE}/xapi/dimensions/${id}`;
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the statements of a rehearsal', () => {
  const statements = xapiStatementsOf(
    record,
    [review(), review({ id: 'rev-2', verdict: 'needs-another-attempt', dimensions: {} })],
    OPTIONS,
  );

  it('keep every xAPI 1.0.3 rule', () => {
    expect(statements).toHaveLength(4);
    expect(statements.map(statementProblems)).toEqual([[], [], [], []]);
  });

  it('say the learner attempted the scenario when they started, named by their ServiceSim account, never an email', () => {
    const attempted = byVerb(statements, 'attempted');
    expect(attempted.verb.id).toBe('http://adlnet.gov/expapi/verbs/attempted');
    expect(attempted.actor).toEqual({ objectType: 'Agent', account: { homePage: SITE, name: 'tenant-1/learner-1' }, name: 'Sam' });
    expect(attempted.object).toEqual({
      objectType: 'Activity',
      id: `${SITE}/scenarios/kettle-refund`,
      definition: { name: { 'en-GB': 'Kettle' }, type: 'http://adlnet.gov/expapi/activities/simulation' },
    });
    expect(attempted.timestamp).toBe('2026-11-23T10:00:00.000Z');
    expect(JSON.stringify(statements)).not.toContain('mbox');
  });

  it('say they completed it when it ended, with its length, the mean level scaled, each dimension and the breaches', () => {
    const completed = byVerb(statements, 'completed');
    expect(completed.timestamp).toBe('2026-11-23T10:10:00.000Z');
    expect(completed.result).toEqual({
      completion: true,
      duration: 'PT600S',
      // Levels 2 and 1 of 3: a mean of 1.5, scaled 0.5; the dimension with no occasion is not counted.
      score: { scaled: 0.5, raw: 3, min: 0, max: 6 },
      extensions: {
        [dimensionIri('dimension-0')]: 2 / 3,
        [dimensionIri('dimension-1')]: 1 / 3,
        [`${SITE}/xapi/extensions/authority-breaches`]: 1,
      },
    });
  });

  it('say a rehearsal left unfinished was abandoned, not completed, scored as it stood, and keep the rules', () => {
    const left = xapiStatementsOf(evidenceRecord({ report: reportWith([2, 1, null], 0), endReason: 'abandoned' }), [review()], OPTIONS);
    expect(left.map((s) => s.verb.id)).toEqual([
      'http://adlnet.gov/expapi/verbs/attempted',
      'https://w3id.org/xapi/adl/verbs/abandoned',
      'http://id.tincanapi.com/verb/reviewed',
    ]);
    const abandoned = byVerb(left, 'abandoned');
    expect(abandoned.result).toMatchObject({ completion: false, score: { scaled: 0.5 } });
    // The tutor's review is of that statement.
    expect(byVerb(left, 'reviewed').object).toEqual({ objectType: 'StatementRef', id: abandoned.id });
    expect(left.map(statementProblems)).toEqual([[], [], []]);
  });

  it('give the rehearsal its context: one registration, the platform, the language, mode, scorer, cohort and dimensions', () => {
    const attempted = byVerb(statements, 'attempted');
    const completed = byVerb(statements, 'completed');
    expect(completed.context?.registration).toMatch(UUID_V5);
    expect(attempted.context?.registration).toBe(completed.context?.registration);
    expect(completed.context).toMatchObject({
      platform: 'ServiceSim',
      language: 'en-GB',
      extensions: {
        [`${SITE}/xapi/extensions/mode`]: 'practice',
        [`${SITE}/xapi/extensions/scorer`]: { kind: 'rules', id: 'rules-scorer', version: '1' },
      },
    });
    const cohort = {
      objectType: 'Activity',
      id: `${SITE}/cohorts/cs-2026-autumn`,
      definition: { name: { 'en-GB': 'Customer service, autumn 2026' } },
    };
    expect(attempted.context?.contextActivities).toEqual({ grouping: [cohort] });
    expect(completed.context?.contextActivities).toEqual({
      grouping: [cohort],
      other: [
        {
          objectType: 'Activity',
          id: dimensionIri('dimension-0'),
          definition: { type: 'http://adlnet.gov/expapi/activities/objective', name: { 'en-GB': 'Listening and understanding' } },
        },
        {
          objectType: 'Activity',
          id: dimensionIri('dimension-1'),
          definition: { type: 'http://adlnet.gov/expapi/activities/objective', name: { 'en-GB': 'Clear explanation' } },
        },
      ],
    });
  });

  it('say a tutor reviewed the completed statement: their verdict, feedback and the levels that count after the review', () => {
    const completed = byVerb(statements, 'completed');
    const [first, second] = statements.filter((s) => s.verb.id === 'http://id.tincanapi.com/verb/reviewed');
    expect(first!.object).toEqual({ objectType: 'StatementRef', id: completed.id });
    expect(first!.actor).toEqual({ objectType: 'Agent', account: { homePage: SITE, name: 'tenant-1/tutor-7' }, name: 'Alex Tutor' });
    expect(first!.timestamp).toBe('2026-11-24T09:00:00.000Z');
    expect(first!.result).toEqual({
      success: true,
      response: 'Good listening; check the limit before offering a refund.',
      // The tutor raised dimension-1 to 3 and agreed dimension-0's 2.
      score: { scaled: 5 / 6, raw: 5, min: 0, max: 6 },
      extensions: { [dimensionIri('dimension-0')]: 2 / 3, [dimensionIri('dimension-1')]: 1 },
    });
    expect(first!.context).not.toHaveProperty('platform');
    expect(first!.context?.registration).toBe(completed.context?.registration);
    expect(second!.result).toMatchObject({ success: false, extensions: { [dimensionIri('dimension-1')]: 1 / 3 } });
  });

  it('have ids that are the same each time they are built, and differ between statements and between records', () => {
    const again = xapiStatementsOf(record, [review(), review({ id: 'rev-2', verdict: 'needs-another-attempt', dimensions: {} })], OPTIONS);
    expect(again.map((s) => s.id)).toEqual(statements.map((s) => s.id));
    for (const s of statements) expect(s.id).toMatch(UUID_V5);
    expect(new Set(statements.map((s) => s.id)).size).toBe(4);
    const other = xapiStatementsOf(evidenceRecord({ id: 'r2', report: reportWith([2]) }), [], OPTIONS);
    expect(other.map((s) => s.id).filter((id) => statements.some((s) => s.id === id))).toEqual([]);
    expect(other.map((s) => s.context?.registration)).not.toContain(byVerb(statements, 'completed').context?.registration);
  });

  it('come in batches: the rehearsal, then one per review, each knowing its record', () => {
    const batches = xapiBatchesOf(record, [review(), review({ id: 'rev-2' })], OPTIONS);
    expect(batches.map((b) => [b.id, b.recordId, b.statements.length])).toEqual([
      ['rehearsal/r1', 'r1', 2],
      ['review/rev-1', 'r1', 1],
      ['review/rev-2', 'r1', 1],
    ]);
  });
});

describe('building statements', () => {
  it('gives the same IRIs whether the site URL ends in a slash or not, and escapes ids in them', () => {
    const odd = evidenceRecord({ scenario: { id: 'kettle refund/2', title: 'Kettle' }, report: reportWith([2]) });
    const withSlash = xapiStatementsOf(odd, [], { homePage: `${SITE}/` });
    expect(withSlash).toEqual(xapiStatementsOf(odd, [], { homePage: SITE }));
    expect(withSlash[0]!.object).toMatchObject({ id: `${SITE}/scenarios/kettle%20refund%2F2` });
    expect(withSlash.map(statementProblems)).toEqual([[], []]);
  });

  it('leaves out the score when no dimension had an occasion, and the name of a learner who has none', () => {
    const statements = xapiStatementsOf(evidenceRecord({ learner: { id: 'l-9' }, report: reportWith([null, null]) }), [], {
      homePage: SITE,
    });
    const completed = byVerb(statements, 'completed');
    expect(completed.result).not.toHaveProperty('score');
    expect(completed.actor).toEqual({ objectType: 'Agent', account: { homePage: SITE, name: 'l-9' } });
    expect(statements.map(statementProblems)).toEqual([[], []]);
  });

  it('refuses a review of another record, and a site URL that is not one', () => {
    expect(() => xapiStatementsOf(record, [review({ recordId: 'r9' })], OPTIONS)).toThrow(/review "rev-1" is of record "r9", not "r1"/);
    expect(() => xapiStatementsOf(record, [], { homePage: 'servicesim.example.ac.uk' })).toThrow(
      /homePage .* must be the site's http\(s\) base URL/,
    );
  });
});

describe('the xAPI statement rules', () => {
  /** A statement as loose JSON, so a test can break it any way it likes. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Breakable = Record<string, any>;

  /** A valid statement to break one rule at a time. */
  const valid = () => structuredClone(byVerb(xapiStatementsOf(record, [], OPTIONS), 'completed')) as Breakable;

  const problemsWith = (change: (s: Breakable) => void) => {
    const statement = valid();
    change(statement);
    return statementProblems(statement);
  };

  it('need an id in UUID form', () => {
    expect(problemsWith((s) => (s.id = 'r1-completed'))).toEqual([expect.stringMatching(/^id: must be a UUID/)]);
    expect(problemsWith((s) => (s.context.registration = '12345'))).toEqual([
      expect.stringMatching(/^context\.registration: must be a UUID/),
    ]);
  });

  it('need exactly one identifier on an Agent, and members on an anonymous Group', () => {
    expect(problemsWith((s) => (s.actor.mbox = 'mailto:sam@example.com'))).toEqual([
      'actor: an Agent must have exactly one identifier, not mbox and account',
    ]);
    expect(problemsWith((s) => delete s.actor.account)).toEqual([expect.stringMatching(/^actor: an Agent needs one identifier/)]);
    expect(problemsWith((s) => (s.actor = { objectType: 'Group', name: 'Team' }))).toEqual([
      expect.stringMatching(/^actor\.member: an anonymous Group/),
    ]);
    expect(problemsWith((s) => (s.actor.account.homePage = 'not a url'))).toEqual([
      expect.stringMatching(/^actor\.account\.homePage: must be an IRL/),
    ]);
    expect(problemsWith((s) => (s.actor = { mbox: 'sam@example.com' }))).toEqual([
      expect.stringMatching(/^actor\.mbox: must be a mailto IRI/),
    ]);
  });

  it('need a score that is consistent: scaled within -1..1, raw between min and max, min below max', () => {
    expect(problemsWith((s) => (s.result.score.scaled = 1.5))).toEqual(['result.score.scaled: must be between -1 and 1']);
    expect(problemsWith((s) => (s.result.score.raw = 7))).toEqual(['result.score.raw: raw (7) must not be above max (6)']);
    expect(
      problemsWith((s) => {
        s.result.score.min = 6;
        s.result.score.raw = 6;
      }),
    ).toEqual(['result.score.min: min (6) must be less than max (6)']);
    expect(problemsWith((s) => (s.result.completion = 'true'))).toEqual(['result.completion: must be a boolean']);
  });

  it('need IRIs for ids, types and extension keys', () => {
    expect(problemsWith((s) => (s.verb.id = 'completed'))).toEqual([expect.stringMatching(/^verb\.id: must be an absolute IRI/)]);
    expect(problemsWith((s) => (s.result.extensions['breaches'] = 1))).toEqual([
      expect.stringMatching(/^result\.extensions\.breaches: the key must be an absolute IRI/),
    ]);
    expect(problemsWith((s) => (s.context.extensions['http://example.com/a b'] = 1))).toEqual([
      expect.stringMatching(/^context\.extensions\["http:\/\/example\.com\/a b"\]: the key must be an absolute IRI/),
    ]);
    expect(problemsWith((s) => (s.object.definition.type = '/activities/simulation'))).toEqual([
      expect.stringMatching(/^object\.definition\.type: must be an absolute IRI/),
    ]);
  });

  it('need RFC 5646 language tags as language map keys and as the context language', () => {
    expect(problemsWith((s) => (s.verb.display = { en_GB: 'completed' }))).toEqual([
      expect.stringMatching(/^verb\.display\.en_GB: the key must be an RFC 5646 language tag/),
    ]);
    expect(problemsWith((s) => (s.object.definition.name = { 'en-': 'Kettle' }))).toEqual([
      expect.stringMatching(/^object\.definition\.name\["en-"\]: the key must be an RFC 5646/),
    ]);
    expect(problemsWith((s) => (s.context.language = 'British English'))).toEqual([
      expect.stringMatching(/^context\.language: must be an RFC 5646 language tag/),
    ]);
    for (const tag of ['en', 'zh-Hant-TW', 'es-419', 'de-CH-1996', 'x-sim', 'i-klingon'])
      expect(problemsWith((s) => (s.context.language = tag))).toEqual([]);
  });

  it('allow platform and revision only when the object is an Activity', () => {
    expect(problemsWith((s) => (s.object = { objectType: 'StatementRef', id: s.id }))).toEqual([
      'context.platform: only allowed when the object is an Activity, not a StatementRef',
    ]);
    expect(
      problemsWith((s) => {
        s.object = { objectType: 'Agent', account: { homePage: SITE, name: 'x' } };
        delete s.context.platform;
        s.context.revision = '2';
      }),
    ).toEqual(['context.revision: only allowed when the object is an Activity, not an Agent']);
  });

  it('need ISO 8601 timestamps and durations, and a 1.0.x version if any', () => {
    expect(problemsWith((s) => (s.timestamp = '23/11/2026 10:10'))).toEqual([
      expect.stringMatching(/^timestamp: must be an ISO 8601 timestamp/),
    ]);
    expect(problemsWith((s) => (s.result.duration = '600 seconds'))).toEqual([
      expect.stringMatching(/^result\.duration: must be an ISO 8601 duration/),
    ]);
    expect(problemsWith((s) => (s.result.duration = 'P4W1D'))).toHaveLength(1);
    for (const duration of ['PT4H35M59.14S', 'P3Y1M29DT4H35M59.14S', 'P4W', 'PT0.5S'])
      expect(problemsWith((s) => (s.result.duration = duration))).toEqual([]);
    expect(problemsWith((s) => (s.version = '2.0.0'))).toEqual([expect.stringMatching(/^version: must be a 1\.0\.x version/)]);
    expect(problemsWith((s) => (s.version = '1.0.3'))).toEqual([]);
  });

  it('refuse unknown properties, at the top and inside, and the wrong kind of object', () => {
    expect(problemsWith((s) => (s.learnerEmail = 'sam@example.com'))).toEqual(['learnerEmail: not an xAPI property here']);
    expect(problemsWith((s) => (s.context.contextActivities.sibling = []))).toEqual([
      'context.contextActivities.sibling: not an xAPI property here',
    ]);
    expect(problemsWith((s) => (s.object.objectType = 'Scenario'))).toEqual([
      'object.objectType: must be one of "Activity", "Agent", "Group", "StatementRef", "SubStatement"',
    ]);
    expect(problemsWith((s) => (s.context.statement = { objectType: 'StatementRef', id: 'nope' }))).toEqual([
      expect.stringMatching(/^context\.statement\.id: must be a UUID/),
    ]);
  });

  it('check a SubStatement as a statement, with no id of its own and no SubStatement inside', () => {
    const inner = () => {
      const s = valid();
      delete s.id;
      delete s.context.platform;
      return { objectType: 'SubStatement', ...s, object: { objectType: 'StatementRef', id: '4d3c2b1a-0f9e-4d8c-9b7a-6e5f4d3c2b1a' } };
    };
    const about = (object: unknown) =>
      problemsWith((s) => {
        s.object = object;
        delete s.context.platform;
      });
    expect(about(inner())).toEqual([]);
    expect(about({ ...inner(), id: '4d3c2b1a-0f9e-4d8c-9b7a-6e5f4d3c2b1a' })).toEqual(['object.id: not an xAPI property here']);
    expect(about({ ...inner(), object: inner() })).toEqual([
      expect.stringMatching(/^object\.object\.objectType: must be one of "Activity", "Agent", "Group", "StatementRef"$/),
    ]);
  });

  it('say what is missing from something that is not a statement at all', () => {
    expect(statementProblems({})).toEqual(['actor: is required', 'verb: is required', 'object: is required']);
    expect(statementProblems('a statement')).toEqual(['statement: must be an object']);
  });
});
