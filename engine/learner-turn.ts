/**
 * What a learner did in one message: the behaviours the units name, each with the words that
 * show it. The scripted customer reacts to this reading and the scorer levels it, so the two can
 * never disagree about what the learner did.
 */
import { routeFor, type AuthorityRoute } from './authority-check.ts';
import { poundsIn } from './money.ts';
import { MOVE_PATTERNS, PLAIN_ACRONYMS, type MoveKind } from './move-patterns.ts';
import { ACTION_PATTERNS, ASSENT, CONDITIONAL_FRAME, GIVE_FRAME, OFFER_FRAME, ORDINARY_ACTIONS, REQUEST } from './offer-patterns.ts';
import { anyOf, phrases, sequence } from './phrase-pattern.ts';
import type { ActionKind, Scenario } from './scenario-schema.ts';
import { sentenceMatchesTopic, sentenceNames, vocabularyOf } from './scenario-vocabulary.ts';
import { analyse, type CustomerMessage, type Sentence, type Token } from './utterance.ts';

/** Behaviours found in a turn, each with the sentences that show it. */
export type Moves = Partial<Record<MoveKind | 'reflect' | 'closedQuestion' | 'jargon' | 'refer' | 'vaguePromise', string[]>>;

export interface Offer {
  action: ActionKind;
  amount?: number;
  /** Offered only subject to someone's approval: seeking approval, not granting. */
  conditional: boolean;
  /** The learner had already sought approval (earlier in this turn or before) when offering it. */
  afterApproval: boolean;
  quote: string;
  route: AuthorityRoute;
}

export interface Commitment {
  turn: number;
  quote: string;
  who: string;
  what: string;
  when?: string;
}

export interface LearnerTurn {
  /** 1-based position in the transcript. */
  turn: number;
  text: string;
  moves: Moves;
  /** Ids of hidden facts the learner asked about in this turn. */
  factsAsked: string[];
  offers: Offer[];
  /** Actions named as possibilities without being put on offer ("a transfer is an option"). */
  mentioned: ActionKind[];
  /** Actions the learner said they cannot do. */
  refusals: Array<{ action?: ActionKind; quote: string }>;
  commitments: Commitment[];
  /** Sources of help named, by id. */
  sourcesNamed: string[];
  /** The learner sought approval from someone with authority, here or in an earlier turn. */
  approvalSought: boolean;
}

export interface TurnContext {
  scenario: Scenario;
  turn: number;
  /** Set by the reader: the turn's first sentence, where an assent to the customer's request sits. */
  firstSentence?: Sentence;
  /** The customer's message this turn answers, if any. */
  previousCustomer?: CustomerMessage;
  /** Whether the learner sought approval in an earlier turn: all a turn needs of the turns before it. */
  approvalSoughtEarlier: boolean;
  /** The customer's messages before `previousCustomer`, whose details a listening learner carries forward. */
  earlierCustomers?: readonly CustomerMessage[];
  /** Hidden facts the learner uncovered in earlier turns: some authority applies only once one is known. */
  factsUncovered?: ReadonlySet<string>;
}

/** Content words a sentence must share with one earlier customer message to be using what they said then. */
const CARRIED_FORWARD_WORDS = 4;

export function readLearnerTurn(text: string, context: TurnContext): LearnerTurn {
  const utterance = analyse(text);
  context = { ...context, firstSentence: utterance.sentences[0] };
  const vocabulary = vocabularyOf(context.scenario);
  const moves: Moves = {};
  const add = (kind: keyof Moves, quote: string) => (moves[kind] ??= []).push(quote);
  const factsAsked = new Set<string>();
  const offers: Offer[] = [];
  const refusals: LearnerTurn['refusals'] = [];
  const mentioned = new Set<ActionKind>();
  const commitments: Commitment[] = [];
  const sourcesNamed = new Set<string>();
  let approvalSought = context.approvalSoughtEarlier;
  const limitClauses: string[] = [];
  const customerWords = context.previousCustomer?.words ?? new Set<string>();
  // Short forms the customer has used at any point ("an FL code on the hot tub") are shared words.
  const customerMessages = [...(context.earlierCustomers ?? []), ...(context.previousCustomer ? [context.previousCustomer] : [])];

  // Most behaviours appear in no sentence of a turn: test each once on the whole turn, then only
  // the ones present sentence by sentence. This keeps scoring at thousands of turns a second.
  const whole = utterance.sentences.map((s) => s.plain).join('\n');
  const present = SENTENCE_MOVES.filter((kind) => MOVE_PATTERNS[kind].test(whole));
  const actionsPresent = ACTION_KINDS.filter((action) => ACTION_PATTERNS[action].test(whole));
  for (const sentence of utterance.sentences) {
    const plain = sentence.plain;
    for (const kind of present) if (MOVE_PATTERNS[kind].test(plain)) add(kind, sentence.text);
    if (MOVE_PATTERNS.jargonPhrase.test(plain) || hasUnexplainedAcronym(sentence, vocabulary.customerAcronyms, customerMessages))
      add('jargon', sentence.text);

    const asks = sentence.isQuestion || /^(?:please )?(?:tell|describe|explain|walk)\b/.test(plain);
    if (asks) {
      // "Which would you prefer?" asks the customer to choose, not to tell us anything.
      const choosing = /\b(?:prefer|rather|suit|would you like|happy with|want me to|shall i)\b/.test(plain);
      add(MOVE_PATTERNS.openQuestion.test(plain) && !choosing ? 'openQuestion' : 'closedQuestion', sentence.text);
      for (const { factId, topics } of vocabulary.factTopics) {
        if (topics.some((topic) => sentenceMatchesTopic(sentence, topic))) factsAsked.add(factId);
      }
    }

    const shared = [...sentence.lemmaSet].filter((l) => customerWords.has(l)).length;
    // Details the customer gave turns ago, used again now, show listening as much as an echo does.
    const carried = (context.earlierCustomers ?? []).some(
      (message) => [...sentence.lemmaSet].filter((l) => message.words.has(l)).length >= CARRIED_FORWARD_WORDS,
    );
    if (shared >= 3 || (shared >= 1 && MOVE_PATTERNS.reflectFrame.test(plain)) || carried) add('reflect', sentence.text);

    const named = vocabulary.sources.filter((source) => sentenceNames(sentence, source));
    for (const source of named) sourcesNamed.add(source.id);
    const namesSource = named.length > 0;
    // "Have you tried the manufacturer?" asks; a referral tells the customer where to go.
    if (!sentence.isQuestion && (MOVE_PATTERNS.referBody.test(plain) || (namesSource && MOVE_PATTERNS.referVerb.test(plain))))
      add('refer', sentence.text);

    const namesApprover = vocabulary.approvers.some((a) => sentenceNames(sentence, a));
    const seeks =
      MOVE_PATTERNS.seekApproval.test(plain) ||
      (namesApprover &&
        /\b(?:ask|check|speak|talk|get|approv\w*|authori[sz]\w*|agree|sign|(?:put|pass) (?:it|that|this|them|your case|(?:a|the|your) [a-z]+(?: [a-z]+){0,2}) to)\b/.test(
          plain,
        ));
    if (seeks) {
      approvalSought = true;
      if (!moves.seekApproval?.includes(sentence.text)) add('seekApproval', sentence.text);
    }

    // Saying who has to agree ("Claire has to OK it, not me") puts the turn's options subject to
    // them. (Only saying so: "I'll pay you £100 today. I'll also check with the manager" still pays.)
    if (MOVE_PATTERNS.stateLimit.test(plain)) limitClauses.push(sentence.plain);
    const uncovered = new Set([...(context.factsUncovered ?? []), ...factsAsked]);
    // "Let me check I've got it right: … and you had to get a taxi": the customer's account said
    // back to them offers nothing.
    const restating = MOVE_PATTERNS.checkUnderstanding.test(plain) && (shared >= 3 || carried);
    if (!restating) {
      readOffers(sentence, { ...context, factsUncovered: uncovered }, { seeks, sought: approvalSought }, actionsPresent, {
        offers,
        refusals,
        mentioned,
      });
    }
    const commitment = readCommitment(sentence, context.turn) ?? readRecap(sentence, context.turn);
    if (commitment) {
      commitments.push(commitment);
      if (!commitment.when) add('vaguePromise', sentence.text);
    } else if (VAGUE_TIME.test(plain)) {
      add('vaguePromise', sentence.text);
    }
  }

  // "Two: an outside seamstress. Claire has to OK that one, not me." Approval said to be needed in
  // the turn covers the options it put, unless it names a different action.
  for (const offer of offers) {
    if (offer.route.kind !== 'approval' || offer.conditional) continue;
    if (limitClauses.some((clause) => actionsIn(clause).every((action) => action === offer.action))) offer.conditional = true;
  }

  // "I'm not allowed to refund that, but I can ask the manager" states a limit; it oversteps nothing.
  const oversteps = (moves.overstep ?? []).filter(
    (q) => ![moves.seekApproval, moves.refuse, moves.stateLimit].some((m) => m?.includes(q)) && !refusals.some((r) => r.quote === q),
  );
  if (oversteps.length > 0) readOverstep(oversteps, context, offers);
  else delete moves.overstep;

  return {
    turn: context.turn,
    text,
    moves,
    factsAsked: [...factsAsked],
    offers,
    mentioned: [...mentioned].filter((action) => !offers.some((o) => o.action === action)),
    refusals,
    commitments,
    sourcesNamed: [...sourcesNamed],
    approvalSought,
  };
}

/**
 * A learner who says they are going beyond what they may do ("between you and me", "I'm not meant
 * to, but…") is not seeking anyone's approval. Whatever they offer in that sentence is offered outright;
 * if no offer was recognised in the turn, the overstep concerns what the customer has been pressing for.
 */
function readOverstep(quotes: readonly string[], context: TurnContext, offers: Offer[]): void {
  for (const offer of offers) if (quotes.includes(offer.quote)) offer.conditional = false;
  const asked = context.scenario.customer.asksFor;
  if (offers.length > 0 || !asked) return;
  const route = routeFor(context.scenario.authority, asked.action, asked.amount);
  offers.push({
    action: asked.action,
    ...(asked.amount === undefined ? {} : { amount: asked.amount }),
    conditional: false,
    afterApproval: false,
    quote: quotes[0]!,
    route,
  });
}

/** A promise of action with no time the customer could hold us to. */
const VAGUE_TIME = phrases(
  [/as soon as (?:possible|we can|i can)/, 'at some point', 'soon', 'in due course', /someone will (?:get back|be in touch|call)/],
  { end: 'word' },
);

/** Clauses of a sentence, so that "I can't repair it, but I can replace it" holds a refusal and an offer. */
const CLAUSE_BREAK = /,? (?:but|however|although|though|whereas|so instead)\b|;/;

/** Saying what the learner (not the customer) cannot do. */
const FIRST_PERSON_REFUSAL = phrases([
  /nothing (?:i|we) can do/,
  // "I really wish I could promise the 11:20, but…"
  /(?:i|we) (?:really |only )?wish (?:i|we) could/,
  // "I'm afraid we simply can't…", "we are not allowed to…"
  sequence([
    /(?:i|we)(?: am| are)?(?: afraid)?(?: (?:really|just|simply|still))? /,
    anyOf([
      // "I can't see her saying no" predicts a yes; it refuses nothing.
      /can not(?! (?:see|imagine) (?:her|him|them|it) (?:saying no|refusing|turning))/,
      'could not',
      'am not able to',
      'are not able to',
      'am unable to',
      'are unable to',
      'will not be able to',
      // "I don't want you short for your rent" refuses nothing.
      /do not(?! want you\b)/,
      'does not',
      'am not allowed',
      'are not allowed',
      /am not authori[sz]ed/,
      /are not authori[sz]ed/,
      'am not in a position',
      'are not in a position',
      'will not be',
    ]),
  ]),
  /(?:nobody|no one|no-one|none of us) (?:can|could|is able to)/,
  // Disclaiming a promise: "I won't pretend I can promise you'll be ready", "I'd be lying if I said…".
  /(?:i|we) (?:\w+ )?(?:will|would) not (?:pretend|promise|guarantee|lie to you)/,
  /(?:i|we) (?:am|are) not going to (?:pretend|promise|guarantee)/,
  /(?:i|we) would be lying (?:to you )?if/,
  /(?:i|we) (?:do not|would not) want to (?:promise|guarantee|pretend)/,
  /would be wrong (?:of me )?to (?:promise|guarantee|say)/,
  // The thing itself ruled out, by whoever.
  /can not be (?:refunded|waived|replaced|repaired|changed|cancelled)/,
  /(?:is|are) not (?:possible|covered|eligible|refundable|something (?:i|we) (?:can|could|am able to|are able to|am allowed to|are allowed to))/,
  /not (?:be )?possible/,
  'non-refundable',
  /no longer (?:available|made|stocked)/,
  'there is no way',
  /(?:not|no|never) (?:a |any |the )?(?:\w+ )?(?:refund|replacement|repair|compensation|discount|voucher|goodwill|guarantee)/,
]);

/**
 * A negative condition: "if we can't find one", "if it is not possible to refund you,". What it
 * names is not on offer, and its "can't" is no refusal. Up to its comma, or to the "we'll" that
 * follows it.
 */
const IF_NOT = sequence(
  [
    /\b(?:if|unless|in case) (?:i|we|they|you|it|he|she|the \w+) /,
    anyOf(['can not', 'could not', 'do not', 'does not', 'did not', 'are not', 'is not', 'am not', 'will not']),
    /\b/,
    anyOf([
      // Up to its comma, so long as no "we will…" comes first: that starts the promise.
      /(?:(?! (?:i|we) (?:will|can|would|shall|could)\b)[^,])*,/,
      // Else only the word after it: "if we can not repair it we will replace it" keeps the promise.
      /(?: \w+)?/,
    ]),
  ],
  'g',
);

type ApprovalSoFar = { seeks: boolean; sought: boolean };

/** What the clauses of a turn put on offer, refuse, or only mention. */
interface OfferReading {
  offers: Offer[];
  refusals: LearnerTurn['refusals'];
  mentioned: Set<ActionKind>;
}

function readOffers(
  sentence: Sentence,
  context: TurnContext,
  approval: ApprovalSoFar,
  candidates: readonly ActionKind[],
  reading: OfferReading,
): void {
  for (const clause of sentence.plain.split(CLAUSE_BREAK)) {
    if (clause.trim().length > 0) readClauseOffers(clause, sentence, context, approval, candidates, reading);
  }
}

function readClauseOffers(
  plain: string,
  sentence: Sentence,
  context: TurnContext,
  approval: ApprovalSoFar,
  candidates: readonly ActionKind[],
  { offers, refusals, mentioned }: OfferReading,
): void {
  const { scenario } = context;
  // A bare "yes, of course" to the customer's request offers what was requested.
  const isFirstClause = sentence === context.firstSentence && plain === sentence.plain.split(CLAUSE_BREAK)[0];
  // "If we can't find the part, we'll replace it" promises the replacement; the condition offers nothing.
  plain = plain.replace(IF_NOT, ' ').trim();
  if (plain.length === 0) return;
  // "The Guaranteed Standards Scheme", "our Refunds Team": a name promises nothing.
  const unnamed = withoutNames(plain, sentence.text);
  let actions = actionsIn(unnamed, candidates);
  // The scenario's own wordings for an option offer it, whatever the general words for its action say.
  const { optionWordings, forms } = vocabularyOf(scenario);
  // (Against the clause as said: an author's wording may itself be a name, "a Faster Payment".)
  const worded = optionWordings.filter((o) => o.wording.test(plain));
  for (const { action } of worded) if (!actions.includes(action)) actions.push(action);
  // "I'll ring you about the full refund" names what the call is about; it offers no refund. (It
  // can still refuse one: "there's nothing I can do about a replacement".)
  const untopical = unnamed.replace(TALKING_ABOUT, ' ').replace(PAID_FOR, ' ');
  const untopicalAsSaid = worded.length === 0 ? '' : plain.replace(TALKING_ABOUT, ' ').replace(PAID_FOR, ' ');
  const named = new Set([
    ...actionsIn(untopical, candidates),
    ...worded.filter((o) => o.wording.test(untopicalAsSaid)).map((o) => o.action),
  ]);
  const onlyTalkedAbout = new Set(actions.filter((a) => !named.has(a)));
  let assented = false;
  // Only a bare yes, or a yes the learner then undertakes: "yes, transfers are free" answers with content of its own.
  const afterAssent = plain.replace(ASSENT, '').replace(/^[\s,.!-]+/, '');
  const undertakes = UNDERTAKING.test(plain);
  const bareAssent = undertakes || afterAssent === '' || STILL_ASSENTING.test(afterAssent);
  // What the yes answers, worked out only for a bare yes.
  const yesAnswers =
    actions.length === 0 && isFirstClause && ASSENT.test(plain) && bareAssent && context.previousCustomer
      ? whatAYesAnswers(context.previousCustomer.lower)
      : undefined;
  if (yesAnswers !== undefined && REQUEST.test(yesAnswers)) {
    const requested = [
      ...(/\b(?:guarantee|promise)\b/.test(yesAnswers) ? (['guarantee'] as const) : []),
      ...actionsIn(yesAnswers).filter((a) => a !== 'investigation' && a !== 'callback'),
    ];
    if (requested.length > 0) {
      actions = [requested[0]!];
      assented = true;
    }
  }
  // "I'll look into why your refund hasn't arrived" investigates; it offers no refund.
  if (/\b(?:look(?:ing)? into|find out|check|chase|see) (?:why|whether|what happened|where|when)\b/.test(plain))
    actions = actions.filter((a) => a === 'investigation');
  // "I'll put the £28 on hold" holds a charge; it gives no money.
  if (actions.length === 0 && GIVE_FRAME.test(plain) && poundsIn(plain).length > 0 && !HOLDING.test(plain)) {
    // "I'll put the £100 through today": the action is the one the customer was asking about.
    const action = inferredAction(context);
    if (action) actions = [action];
  }
  if (COMING_BACK_TO.test(plain) || PRIORITY_QUESTION.test(plain)) actions = actions.filter((a) => a === 'guarantee');
  if (VAGUE_REASSURANCE.test(plain) && !NAMES_A_TIME_OR_PROMISE.test(plain)) actions = actions.filter((a) => a !== 'guarantee');
  // "Send me the receipts and I'll get the lot paid back" pays the customer's costs.
  if (AGAINST_RECEIPTS.test(plain) && actions.includes('refund') && !/\brefund/.test(plain))
    actions = [...new Set(actions.map((a): ActionKind => (a === 'refund' ? 'goodwill-payment' : a)))];
  // "Refund the labour part" in the author's words for a partial refund is that, not a whole refund too.
  if (actions.includes('partial-refund')) actions = actions.filter((a) => a !== 'refund');
  // "You'll know either way, I promise you that" promises news, not an outcome.
  if (PROMISE_OF_NEWS.test(plain)) actions = actions.filter((a) => a !== 'guarantee');
  // Promised in so many words: these need no offering frame ("I'll make sure your pay is covered").
  // Talking about a forbidden subject is the breach itself ("I'll tell you about her illness"): the whole clause.
  // A promise that is itself an offer ("I'll refund the £60 hot-tub supplement") is judged as that
  // offer: sharing words with a never rule about the hot tub does not make it that promise.
  const forbidden = [
    ...forbiddenPromisesIn(plain, sentence, scenario).filter((a) => actions.length === 0 || actions.includes(a)),
    ...forbiddenAdmissionsIn(plain, scenario),
  ];
  const saidOutright = new Set<ActionKind>(['guarantee', 'share-personal-data', ...forbidden]);
  actions.push(...forbidden.filter((a) => !actions.includes(a)));
  if (mentionsAnotherCustomer(sentence, scenario) && !actions.includes('share-personal-data')) actions.push('share-personal-data');
  // "£59 off for the hassle" is a discount with its reason, and "money off a new one" is a
  // discount on what the customer buys: neither is a second action.
  // Money given in words that fit several kinds ("a goodwill credit of £60 off your balance") is
  // the kind the scenario deals in, where it names one of them.
  const moneyish = actions.filter(isMoney);
  const known = actionsNamedIn(scenario);
  const inTerms = moneyish.filter((a) => known.has(a));
  const narrowed = moneyish.length > 1 && inTerms.length > 0 && inTerms.length < moneyish.length;
  if (narrowed) actions = actions.filter((a) => !moneyish.includes(a) || inTerms.includes(a));
  // Money in a kind the scenario never names ("£100 off your balance" where the credit is goodwill)
  // is the money the customer has been asking for, when the scenario names that.
  const asked = scenario.customer.asksFor?.action;
  if (moneyish.length === 1 && inTerms.length === 0 && asked !== undefined && asked !== moneyish[0] && known.has(asked) && isMoney(asked))
    actions = actions.map((a) => (a === moneyish[0] ? asked : a));
  // Unless goodwill is what the scenario calls it, "£59 off for the hassle" is money off with its reason.
  const explicitDiscount = EXPLICIT_DISCOUNT.test(plain) && !(narrowed && actions.includes('goodwill-payment'));
  if (explicitDiscount)
    actions = actions.filter((a) => a !== 'goodwill-payment' && !(a === 'replacement' && /\boff (?:a|the|your) new\b/.test(plain)));
  // "A £30 goodwill credit on your account" is account credit given as goodwill, and "waive a month's
  // fee, £12, for the inconvenience" a waiver with its reason: one offer, not two.
  if (
    (GOODWILL_AS_REASON.test(plain) || FOR_THE_TROUBLE.test(plain)) &&
    actions.some((a) => a !== 'goodwill-payment' && MONEY_ACTIONS.has(a))
  )
    actions = actions.filter((a) => a !== 'goodwill-payment');
  // "Transfer your membership free of charge" prices the transfer; it is no separate discount.
  if (actions.includes('discount') && actions.length > 1 && !NAMES_DISCOUNT.test(plain) && !MADE_FREE.test(plain)) {
    actions = actions.filter((a) => a !== 'discount');
  }
  if (actions.length === 0) return;
  if (FIRST_PERSON_REFUSAL.test(plain)) {
    for (const action of actions) refusals.push({ action, quote: sentence.text });
    return;
  }
  actions = actions.filter((a) => !onlyTalkedAbout.has(a));
  // A question is an offer only in an offering form ("would you like…", "shall I…"), which the
  // frame covers; "is it a refund you're after?" asks what the customer wants.
  const offering = assented || OFFER_FRAME.test(plain);
  const conditional = approval.seeks || CONDITIONAL_FRAME.test(plain);
  for (let action of actions) {
    // A guarantee or a disclosure is made by saying it, whatever frame it comes in.
    if (!offering && !saidOutright.has(action)) {
      if (MENTION_FRAME.test(plain) && !NOT_A_MENTION.test(plain)) mentioned.add(action);
      continue;
    }
    const wordedOption = worded.find((o) => o.action === action);
    const names = (part: string) =>
      ACTION_PATTERNS[action].test(part) || optionWordings.some((o) => o.action === action && o.wording.test(part));
    const own = partNaming(names, plain, actions.length);
    const amount = wordedOption && poundsIn(own).length === 0 ? wordedOption.amount : amountFor(action, own, scenario);
    // "I can refund £10 to your card" of a £74.99 bag gives part of the money back, and needs what
    // a partial refund needs; a refund the learner may give anyway ("refund the 25 plants, £150") stays one.
    if (action === 'refund' && isPartOfTheMoney(amount, scenario) && routeFor(scenario.authority, 'refund', amount).kind !== 'own')
      action = 'partial-refund';
    // A named form of the action ("a same-day collection") has its own authority.
    const form = forms.find((f) => f.action === action && f.wording.test(unnamed))?.form;
    const listed = routeFor(scenario.authority, action, amount, {
      ...(form === undefined ? {} : { form }),
      ...(context.factsUncovered ? { factsUncovered: context.factsUncovered } : {}),
    });
    // A callback or an investigation is every advisor's to offer unless the scenario says otherwise.
    const route: AuthorityRoute = ORDINARY_ACTIONS.has(action) && listed.kind === 'unlisted' ? { kind: 'own' } : listed;
    offers.push({
      action,
      ...(amount === undefined ? {} : { amount }),
      conditional,
      afterApproval: approval.sought,
      quote: sentence.text,
      route,
    });
  }
}

/**
 * The action an amount with no action word gives: what the customer just asked about, in the
 * scenario's own terms where it can be ("take the £186 off" answered with "I can credit £50" in a
 * scenario whose credits are partial refunds), else what the customer has been pressing for.
 */
function inferredAction({ previousCustomer, scenario }: TurnContext): ActionKind | undefined {
  const asked = previousCustomer ? actionsIn(previousCustomer.lower) : [];
  const known = actionsNamedIn(scenario);
  return asked.find((action) => known.has(action)) ?? scenario.customer.asksFor?.action ?? asked[0];
}

/** The actions a scenario's authority names: the terms it deals in. */
function actionsNamedIn(scenario: Scenario): Set<ActionKind> {
  const { mayOffer, needsApproval, never } = scenario.authority;
  return new Set([...mayOffer, ...needsApproval, ...never].map((entry) => entry.action));
}

/**
 * What a call, a conversation or honesty is about: "I'll ring you about the full refund", "I'll be
 * straight with you about the repair", "I'll come to compensation", "till the repair's signed off".
 * The action named there is the topic, not an offer; "what about a refund?" and "how about a
 * repair?" put it on offer and are left alone.
 */
const TALKING_ABOUT =
  /(?:(?<!\b(?:what|how) )\babout|\bcome (?:back )?to|\bconfirming|\bconfirmation of|\b(?:for|towards) getting|\byour request for|\b(?:until|till)(?= (?:the|your) )|\b(?:recomm?ending|recomm?ended|recomm?ends|suggesting|suggested|suggests)) (?:the |your |a |an |any |getting |having )?(?:[a-z'-]+ ){0,2}[a-z'-]+/g;

/**
 * Asking what matters to the customer before offering anything: "so that I offer the right
 * things, what matters most to you: the photos quickly, the album, or some money back?" names
 * possibilities to learn the customer's priorities; none is on offer yet.
 */
const PRIORITY_QUESTION = phrases([
  /what (?:matters|is) (?:most )?(?:important )?(?:to you|most)\b/,
  /what would (?:help|matter) (?:you )?most\b/,
  /what is (?:your|the) (?:priority|main thing)\b/,
]);

/**
 * Comfort that names no outcome: "don't worry, we'll get you sorted, I promise". It guarantees
 * nothing a tutor could hold the learner to, unless it comes with a time ("sorted by Friday, I
 * promise") or in so many words ("I guarantee we'll sort it").
 */
const VAGUE_REASSURANCE = phrases([
  /get (?:you|it|this|that|things|everything) sorted/,
  /sort (?:it|this|that|you|things|everything) out/,
  /put (?:it|this|that|things) right/,
  /look after you/,
  /do (?:our|my) (?:very )?(?:best|utmost)/,
]);
const NAMES_A_TIME_OR_PROMISE =
  /\b(?:by|before|today|tonight|tomorrow|this (?:week|afternoon|evening|morning)|monday|tuesday|wednesday|thursday|friday|saturday|sunday|guarantee\w*|definitely)\b|\d/;

/**
 * Receipts paid back: the customer's own costs, which is paying costs, not refunding what they
 * paid us. ("The refund will go back to your card once I've got the receipt" still refunds.)
 */
const AGAINST_RECEIPTS = /\breceipts?\b/;

/**
 * "I hear you on the money, the trousers and the taxi — I'll come back to all three": the things
 * named are topics the learner will return to, none of them offered yet. ("I'll refund you and get
 * back to you tomorrow" still refunds.)
 */
const COMING_BACK_TO = /\bcome back to (?:all|both|each|that|those|them|it|this|these)\b/;

/** Holding a charge while it is looked at: "put the £28 on hold", "freeze the charge". */
const HOLDING = phrases(['on hold', /(?:freeze|pause|suspend|hold) (?:the|that|this|your|it)\b/]);

/** What money was paid for: "refund your £89 for the repair" refunds it and offers no repair. */
const PAID_FOR =
  /(?<=(?:£[\d,.]+|\bfee|\bcost|\bcharge|\bmoney|\bprice|\bpayment|\bpaid) )for (?:the |your |that )(?:repair|replacement|exchange|upgrade|redelivery|delivery|booking|reschedul\w*)\b/g;

/**
 * A promise that the customer will be told, whatever the answer: a promise to keep them informed,
 * which guarantees no outcome.
 */
const PROMISE_OF_NEWS = phrases([
  /you will (?:know|hear|be told|be kept (?:informed|updated|posted)|get an answer|have an answer)/,
  /(?:left|kept) in the dark/,
  /keep you (?:posted|updated|informed|in the loop)/,
  /i will (?:come|get) back to/,
  'either way',
  /whatever (?:the answer|happens|they decide|the outcome|the decision)/,
  /i (?:will|promise to) (?:tell|let) you (?:know|either|what)/,
  /i promise (?:to|i will) (?:call|ring|phone|email|update|tell|let)/,
]);

/** Two or more capitalised words in a row, "of" or "and" between them allowed: a name. */
const NAME = /\b[A-Z][a-z'\u2019]+(?:\s+(?:(?:of|and|for|the)\s+)?[A-Z][a-z'\u2019]+)+/g;

/** The clause without the names the sentence holds, lower-cased as the clause is. */
function withoutNames(plain: string, text: string): string {
  let out = plain;
  for (const name of text.match(NAME) ?? []) out = out.replace(name.toLowerCase().replace(/\u2019/g, "'"), ' ');
  return out;
}

/** Goodwill as the reason for something else: "a goodwill credit", "a voucher as a gesture of goodwill". */
const GOODWILL_AS_REASON = phrases([
  /goodwill (?:credit|voucher|gift card|account credit|discount|refund|partial refund)/,
  /as (?:a )?(?:goodwill gesture|gesture of goodwill|goodwill|gesture)/,
]);

/** The trouble as the reason money is given: "for the inconvenience", "for all the hassle". */
const FOR_THE_TROUBLE = /\bfor (?:the|your|all the|all your) (?:trouble|inconvenience|hassle|stress|upset|time)\b/;

/** Actions that hand over money or its worth, any of which goodwill may be the reason for. */
const MONEY_ACTIONS: ReadonlySet<ActionKind> = new Set(['refund', 'partial-refund', 'store-credit', 'discount', 'fee-waiver']);

export function isMoney(action: ActionKind): boolean {
  return MONEY_ACTIONS.has(action) || action === 'goodwill-payment';
}

/**
 * A refund of less than the customer paid is a partial refund. What they paid is what they ask to
 * have back, or the scenario's own full-refund option; with neither, an amount is partial when the
 * scenario lets the learner give partial refunds at all.
 */
function isPartOfTheMoney(amount: number | undefined, scenario: Scenario): boolean {
  if (amount === undefined) return false;
  const ask = scenario.customer.asksFor;
  const paid = ask?.action === 'refund' ? ask.amount : scenario.options.find((o) => o.action === 'refund')?.amount;
  if (paid !== undefined) return amount < paid;
  return [...scenario.authority.mayOffer, ...scenario.authority.needsApproval].some((entry) => entry.action === 'partial-refund');
}

/** Undertaking what was asked, within the first few words: "oh yes, I can do that". */
const UNDERTAKING = phrases(
  ['i can do that', 'we can do that', 'i will do that', 'i will sort that', 'consider it done', 'leave it with me', 'will do'],
  { begin: /^[a-z ,]{0,20}\b/, end: 'word' },
);

/**
 * What a bare yes answers: the customer's questions, when they asked any ("Have you got a minute?
 * … I want the money back" is answered "Of course" about the minute, not the money), unless a
 * question points back at the demand ("I want it replaced. Can you do that?"); else the message.
 */
function whatAYesAnswers(lower: string): string {
  const questions = lower.split(/(?<=[.!?])\s+/).filter((s) => s.trim().endsWith('?'));
  if (questions.length === 0) return lower;
  const asking = questions.join(' ');
  return actionsIn(asking).length === 0 && /\b(?:that|it|this|them|one)\b/.test(asking) ? lower : asking;
}

/** What may follow a yes and leave it a bare yes: more assent, or the learner taking it on. */
const STILL_ASSENTING = phrases(
  ['i', 'we', 'leave it', 'consider', 'of course', 'no problem', 'absolutely', 'sure', 'definitely', 'defo', 'deffo', 'that is'],
  { begin: 'text', end: 'word' },
);

/** Saying the money comes off: "£59 off for the hassle" is a discount with its reason, not a payment too. */
const EXPLICIT_DISCOUNT = phrases(
  [
    /\bdiscount/,
    '% off',
    'percent off',
    /£\d[\d,.]* off/,
    'money off',
    /knock \w+ off/,
    /\bknock/,
    'half price',
    /\btake (?:[£\w.-]+ ){1,4}off\b/,
  ],
  // "£" and "%" are no word characters: "\b" before them would fail after a space.
  { begin: 'anywhere' },
);

/**
 * Naming a discount in so many words, as against pricing another action ("transfer it free of
 * charge"). Unlike EXPLICIT_DISCOUNT it takes any "reduc…" and needs no "off" after "knock".
 */
const NAMES_DISCOUNT = phrases(['discount', '% off', 'percent off', /£\d[\d,.]* off/, 'money off', 'reduc', 'knock', 'half price']);

const ACTION_KINDS = Object.keys(ACTION_PATTERNS) as ActionKind[];

/** Moves matched sentence by sentence; the rest are derived or used inside other checks. */
const SENTENCE_MOVES = (Object.keys(MOVE_PATTERNS) as MoveKind[]).filter(
  (kind) => !['openQuestion', 'reflectFrame', 'jargonPhrase', 'referVerb', 'referBody'].includes(kind),
);

function actionsIn(plain: string, candidates: readonly ActionKind[] = ACTION_KINDS): ActionKind[] {
  const actions = candidates.filter((action) => ACTION_PATTERNS[action].test(plain));
  return actions.includes('partial-refund') ? actions.filter((a) => a !== 'refund') : actions;
}

/** A first-person promise: the learner undertaking something, not describing a rule or a limit. */
const PROMISE_FRAME = phrases(
  [
    'i will make sure',
    /i will (?:get|have|see) (?:that|it|this|your)/,
    /(?:i|we) (?:will|can|am going to) (?:cover|pay|sort|guarantee|promise|tell|give|refund|waive|send)/,
    'i promise',
    'i guarantee',
    /you will (?:definitely )?(?:get|have)/,
    /(?:it|that) will (?:definitely|certainly) be/,
    /(?:it|that|this) is (?:covered|guaranteed)/,
  ],
  { end: 'word' },
);

/** A promise in the words of one of the scenario's `never` rules, e.g. "I'll make sure your lost pay is covered". */
function forbiddenPromisesIn(clause: string, sentence: Sentence, scenario: Scenario): ActionKind[] {
  // "The most we can pay on any claim is £50" states a limit; it promises nothing.
  if (CONDITIONAL_FRAME.test(sentence.plain) || /\b(?:only|the most|the maximum|at most|no more than)\b/.test(sentence.plain)) return [];
  // What is promised follows the promise, in the same clause: "I can't discuss a colleague's
  // health, but I can tell you that…" promises nothing about health, and "claim within 21 days,
  // quoting the reference I'll give you" promises only the reference.
  const frame = PROMISE_FRAME.exec(clause);
  if (!frame) return [];
  const after = clause.slice(frame.index + frame[0].length);
  const promised = lemmasOf(after, sentence);
  return vocabularyOf(scenario)
    .forbidden.filter((rule) => {
      // Telling how a register or a rule works, in general, discloses nobody: someone must be meant.
      if (rule.action === 'share-personal-data' && !SOMEONE_IN_PARTICULAR.test(after)) return false;
      const shared = rule.words.filter((w) => promised.has(w)).length;
      return shared >= 2 && shared / rule.words.length >= 0.6;
    })
    .map((rule) => rule.action);
}

/**
 * An admission of fault where a `never` rule forbids one ("never say the branch was at fault before
 * the review"): "that's on our side", "a handling mistake on our part". Saying one cannot say
 * ("I can't say the branch got it wrong") admits nothing.
 */
function forbiddenAdmissionsIn(clause: string, scenario: Scenario): ActionKind[] {
  if (!ADMITS_FAULT.test(clause) || FIRST_PERSON_REFUSAL.test(clause) || NOT_SAYING.test(clause)) return [];
  return scenario.authority.never.filter((rule) => FORBIDS_ADMISSION.test(rule.what.toLowerCase())).map((rule) => rule.action);
}

/**
 * A `never` rule about admitting fault, as authors word one. ("Admit liability for the illness"
 * is about one thing; an apology for the late delivery admits nothing it forbids.)
 */
const FORBIDS_ADMISSION = /\bat fault\b|\bnegligen\w*|\badmit\w* (?:\w+ ){0,3}fault/;

/** Leaving fault open: "whether the crew was at fault isn't mine to decide". */
const NOT_SAYING = phrases(
  ['whether', /if (?:the|our|it|that)/, /not (?:mine|for me|up to me|my place) to/, 'can not say', 'too early', 'not saying'],
  {
    end: 'word',
  },
);

/** Saying the organisation or its people were at fault. */
const ADMITS_FAULT = phrases(
  [
    /(?:that|it|this) (?:is|was) (?:all )?(?:on (?:us|our side|our end)|our (?:fault|mistake|error|doing))/,
    /(?:mistake|error|failure|fault) (?:on our (?:side|part|end)|by (?:our|the) (?:crew|staff|team|branch|driver|drivers|engineer|lads))/,
    /(?:our|the) (?:crew|staff|branch|driver|drivers|team|lads|engineer)(?:'s)? (?:fault|mistake|negligence|error)/,
    /(?:our|the) (?:crew|staff|branch|driver|drivers|team|lads|engineer) (?:got it wrong|messed (?:it )?up|made a mistake|(?:was|were) (?:at fault|negligent|careless|to blame))/,
  ],
  { end: 'word' },
);

/** Words that point at one person or household, as a disclosure about someone must. */
const SOMEONE_IN_PARTICULAR = phrases(
  ['he', 'she', 'his', 'her', 'him', 'hers', 'neighbour', 'next door', 'mr', 'mrs', 'ms', 'miss', 'family'],
  {
    end: 'word',
  },
);

/** The lemmas of the sentence's words that occur in part of it (a clause, or what follows a promise). */
function lemmasOf(part: string, sentence: Sentence): Set<string> {
  const words = new Set(part.split(/[^a-z0-9'£.-]+/).filter((w) => w.length > 0));
  return new Set(sentence.tokens.filter((t) => words.has(t.lower)).flatMap((t) => [t.lemma, t.lower]));
}

/** Naming another customer ("a Mr Clarke from Stockport earlier") and what happened to them. */
function mentionsAnotherCustomer(sentence: Sentence, scenario: Scenario): boolean {
  const names = vocabularyOf(scenario).customerNames;
  // As written, with capitals: "miss the engineer" is no title.
  const match = sentence.text.match(/\b(?:Mr|Mrs|Ms|Miss|Dr)\.? ([A-Z][\w'\u2019-]+)/);
  if (!match) return false;
  const surname = match[1]!.toLowerCase().replace(/\u2019/g, "'");
  return !names.has(surname) && ABOUT_ANOTHER_CUSTOMER.test(sentence.plain);
}

/** Words that tell what happened to someone else, once a title and surname have named them. */
const ABOUT_ANOTHER_CUSTOMER = phrases(
  [
    'earlier',
    'yesterday',
    'last week',
    'his',
    'hers',
    'their',
    'same thing',
    'same problem',
    'another customer',
    'other customer',
    'she is',
    'he is',
    'she has',
    'he has',
    'booked',
    'is in for',
    'owes',
    'paid',
  ],
  { end: 'word' },
);

/** Naming a possibility: "a transfer is one option", "there's also a freeze". */
const MENTION_FRAME = phrases(
  [
    /options?/,
    /possib\w*/,
    'could',
    'might',
    'maybe',
    'perhaps',
    /alternatives?/,
    'available',
    'consider',
    'think about',
    'look at',
    'there is',
    'there are',
    /we (?:do|offer|have)/,
    'or',
  ],
  { end: 'word' },
);
/** A rule or a reflection of what the customer wants mentions an action without proposing it. */
const NOT_A_MENTION = phrases(['only', 'policy', 'terms', 'you would like', 'you want', 'you are after', 'you asked'], {
  end: 'word',
});

/** Saying something will cost the customer nothing at all. */
const MADE_FREE = phrases([
  /make (?:it|that|this|the \w+) free\b/,
  /(?:it|that|this|the \w+) (?:is|will be) on (?:the house|us)/,
  /for free\b/,
  'on the house',
  /not (?:having|letting) you pay/,
  'not pay a penny',
]);

/**
 * The amount an offer is worth: the pounds given ("refund £40", not "of the £120 you paid"), or
 * for "the full amount" what the customer asked for, or else the scenario's own option's value.
 */
function amountFor(action: ActionKind, plain: string, scenario: Scenario): number | undefined {
  const ask = scenario.customer.asksFor;
  // "The trial's on the house" gives all of what the customer asked to have taken off.
  if (ask?.action === action && ask.amount !== undefined && (action === 'discount' || action === 'fee-waiver') && MADE_FREE.test(plain))
    return ask.amount;
  const given = plain.match(AMOUNT_GIVEN);
  if (given) return Number(given[1]!.replace(/,/g, ''));
  const stated = poundsIn(plain);
  if (stated.length > 0) return Math.max(...stated);
  if (
    ask?.action === action &&
    ask.amount !== undefined &&
    /\b(?:full|whole|all of|everything|entire|what you (?:asked|wanted))\b/.test(plain)
  )
    return ask.amount;
  return scenario.options.find((o) => o.action === action)?.amount;
}

/** Where one offer ends and the next begins in a sentence of several: "…today, or refund you £60". */
const OFFER_JOIN =
  /,? (?:or|and|plus|as well as|and also|or else) (?=(?:i|we|you|a|an|the|to|get|give|refund|replace|swap|offer|book|put|send)\b)|;|, /;

/**
 * The part of a clause that names this action (in general words or the scenario's own), when the
 * clause offers several: so that in "I can swap it for a new one today, or refund you £60" the £60
 * is the refund's, not the swap's. With one offer, or when no part names it alone, the whole clause.
 */
function partNaming(names: (part: string) => boolean, plain: string, offerCount: number): string {
  if (offerCount < 2) return plain;
  // An amount set off by commas ("refund the five unused sessions, £150, or move them") belongs to
  // the part before it.
  const parts = plain
    .split(OFFER_JOIN)
    .filter((p) => p.trim().length > 0)
    .reduce<string[]>((kept, part) => {
      if (kept.length > 0 && !/[a-z]/.test(part)) kept[kept.length - 1] += ` ${part}`;
      else kept.push(part);
      return kept;
    }, []);
  const naming = parts.filter(names);
  return naming.length === 1 ? naming[0]! : plain;
}

/** The pounds an offer gives, in group 1: "refund you £40", "give you back up to £25". */
const AMOUNT_GIVEN = sequence([
  phrases(['refund', 'give', 'pay', 'offer', 'credit', 'take', 'knock', 'put', 'send', 'reimburse', 'transfer', 'back', 'add', 'cover']),
  /\s+(?:you\s+|back\s+|up\s+to\s+|a\s+|an\s+|extra\s+|off\s+|the\s+)*£(\d[\d,]*(?:\.\d+)?)/,
]);

/** A promise and who makes it. The capture groups are read by `readCommitment`. */
const COMMITMENT = phrases([
  // Groups 1 and 2, "i" or "we" and the verb: not "I'll need to…", "I'll be honest", "we will not…".
  /(i|we) (?:will|shall|am going to|are going to) (?!need\b|have to\b|just\b|be (?:honest|able|straight|clear|upfront|frank)\b|come back to (?:that|this)\b|not\b)(\w+)/,
  // Groups 3 and 4: what the customer will receive.
  /(you) will (receive|get|have|hear|be (?:sent|refunded|called|contacted|credited))/,
  // Groups 5 to 7: something of theirs that will arrive ("your refund will reach you…").
  /(the|your) (\w+) will (arrive|be|reach|come)/,
]);

/** Saying back what will happen: "To summarise: £22.30 back to your card within 3 to 5 working days; …". */
const RECAP = phrases([
  'to summarise',
  'to sum up',
  'to recap',
  'to confirm',
  'so to confirm',
  'just to confirm',
  'so that is',
  'here is what happens',
  'here is the plan',
  // "So: formula's sorted, £5.50 back on your card in 3-5 days, £15 voucher here."
  /^so ?[:—–-] /,
]);

/** A recap that names times holds the organisation to them as much as "I will…" does. */
function readRecap(sentence: Sentence, turn: number): Commitment | undefined {
  if (sentence.isQuestion || sentence.times.length === 0 || !RECAP.test(sentence.plain)) return undefined;
  const what = sentence.text.replace(/\s+/g, ' ').trim();
  return { turn, quote: sentence.text, who: 'the organisation', what, when: sentence.times.join(' ') };
}

function readCommitment(sentence: Sentence, turn: number): Commitment | undefined {
  const match = sentence.plain.match(COMMITMENT);
  if (!match || sentence.isQuestion) return undefined;
  const who = match[1]
    ? match[1] === 'i'
      ? 'the learner'
      : 'the organisation'
    : match[3]
      ? 'the organisation'
      : `the ${match[6] ?? 'organisation'}`;
  // The times that follow the promise itself: "I've swapped it now, and I'll email you by 5pm today".
  const after = sentence.plain.slice(match.index ?? 0);
  const when = sentence.times.filter((t) => after.includes(t)).join(' ') || undefined;
  return { turn, quote: sentence.text, who, what: sentence.text.replace(/\s+/g, ' ').trim(), ...(when ? { when } : {}) };
}

/**
 * A reference, a flight or a room the customer is given ("your reference is EDINW 24817",
 * "RCR-90127") is a code to quote, not jargon: letters next to digits.
 */
function isCode(tokens: readonly Token[], i: number): boolean {
  const near = [tokens[i - 1], tokens[i + 1], tokens[i + 2]].map((t) => t?.text ?? '');
  return (
    /\d/.test(tokens[i]!.text) ||
    /\d/.test(near[1]!) ||
    (near[1] === '-' && /^\d/.test(near[2]!)) ||
    /^\d/.test(near[0]!) ||
    // "The PCN number on the letter": the name of a reference the customer holds.
    /^(?:number|no|reference|ref|code)$/i.test(near[1]!)
  );
}

/** "The Students' Union … the SU": the words whose initials spell it are in the sentence. */
function spelledOut(acronym: string, text: string): boolean {
  const words = text.match(/\b[A-Z][\w'\u2019]*/g) ?? [];
  const initials = words.map((w) => w[0]).join('');
  return acronym.length >= 2 && initials.includes(acronym.replace(/s$/, ''));
}

/** "The OIA, the independent adjudicator for students": explained in the words that follow it. */
function explainedAfter(tokens: readonly Token[], i: number): boolean {
  return tokens[i + 1]?.text === ',' && /^(?:the|a|an|our|which|who|that)$/i.test(tokens[i + 2]?.text ?? '');
}

function hasUnexplainedAcronym(sentence: Sentence, known: ReadonlySet<string>, customer: readonly CustomerMessage[]): boolean {
  // Short forms the customer has used, or that appear in what the customer knows, are shared words.
  const familiar = (word: string) =>
    PLAIN_ACRONYMS.has(word) || known.has(word) || customer.some((m) => new RegExp(`\\b${word.toLowerCase()}\\b`).test(m.lower));
  const tokens = sentence.tokens;
  const acronyms = tokens.filter(
    (t, i) =>
      /^[A-Z0-9]{2,6}s?$/.test(t.text) &&
      /[A-Z]{2}/.test(t.text) &&
      // "What I CAN do": an ordinary word in capitals is emphasis.
      !t.stop &&
      !familiar(t.text.replace(/s$/, '')) &&
      !isCode(tokens, i) &&
      !spelledOut(t.text, sentence.text) &&
      !explainedAfter(tokens, i),
  );
  // A whole sentence in capitals is shouting, not jargon; an acronym followed by its meaning is fine.
  return (
    acronyms.length > 0 && acronyms.length < sentence.tokens.length / 2 && !/\(|that is|which is|stands for|meaning/.test(sentence.plain)
  );
}
