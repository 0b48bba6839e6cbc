/**
 * How each kind of action is said when a learner offers it, in the `plain` form of
 * `move-patterns.ts`. Shared by every scenario, so an offer is recognised in scenarios the scorer
 * has never seen and checked against that scenario's authority. Written as phrase lists, one
 * phrasing per line (see `phrase-pattern.ts`), each built once into one regular expression.
 */
import { MOVE_PATTERNS } from './move-patterns.ts';
import { anyOf, phrases, sequence } from './phrase-pattern.ts';
import type { ActionKind } from './scenario-schema.ts';

export const ACTION_PATTERNS: Record<ActionKind, RegExp> = {
  refund: phrases([
    // A "non-refundable" ticket offers no refund.
    /(?<!non-)refund(?:ed|ing|s|able)?\b/,
    'money back',
    /(?:give|get|have|pay|send|put) (?:you )?(?:your|the) (?:full |whole )?(?:fare|fee|deposit|payment|ticket price|cost|amount) back/,
    /reimburs\w*/,
    /pay (?:you |it )?back/,
    // "I'll get the lot paid back to you this week."
    /(?:get|have) (?:it|them|the lot|that|those|these|everything|the \w+) paid back/,
    // "You'll get your £450 back", "I'll put the £120 back on your card".
    /(?:get|have|give you|send you|put) (?:your |the )?£[\d,.]+ back/,
    'full amount back',
    /credit (?:it |the money |the payment )?back to your (?:card|account)/,
  ]),
  'partial-refund': phrases([
    'partial refund',
    'part refund',
    /part of (?:the|your) (?:money|cost|price)/,
    /refund (?:part|some|half)/,
    // "Refund the labour part of the service."
    /refund (?:the |your )?(?:[a-z]+ )?part of/,
    // "Credit you £15 for the difference": money off a bill, or account credit (see store-credit).
    /\bcredit (?:you|your account|your bill) (?:with )?£[\d,.]+/,
  ]),
  replacement: phrases([
    /replac(?:e|ed|ing|ement)/,
    /like[- ]for[- ]like/,
    /swap (?:it|this|them) for (?:a new|another|a brand)/,
    // Swapping the customer's thing for one of the organisation's: "we'll swap it for ours".
    /swap (?:it|this|them|yours) for (?:ours|one of ours|one of our)\b/,
    /a new (?:one|unit|model|machine)/,
    // "I'll get a new top ordered from the supplier today."
    /a new [a-z]+ (?:ordered|fitted|made|sent out)\b/,
    'another one',
    'brand new',
    // Something to use in the meantime replaces it for now.
    /courtesy (?:car|vehicle)/,
    'lend you',
    /loan (?:car|vehicle)/,
  ]),
  repair: phrases([
    /repair\w*/,
    /fix (?:it|this|the)/,
    /get (?:it|this) fixed/,
    /(?:send|book|arrange) (?:an|a|the) (?:engineer|technician)/,
    /engineer (?:visit|out|to come|appointment)/,
  ]),
  exchange: phrases([
    /exchang\w*/,
    // "Swap it for a new one" or "for ours" is a replacement.
    /swap (?:it|this|them)(?! for (?:a new|another|a brand|a replacement|ours|one of ours|one of our)\b)/,
    /transfer (?:your|the) (?:membership|account|booking|contract)/,
  ]),
  'store-credit': phrases([
    'voucher',
    'store credit',
    'credit note',
    'gift card',
    'account credit',
    /credit (?:to|on) your account/,
    'credit your account',
    // Money off the customer's next bill is credit on their account: "£40 credit on your next
    // invoice", "£40 off your April bill", "I'll put the £40 credit on".
    /credit (?:on|to|against|off) (?:your|the) (?:next |[a-z]+ )?(?:invoice|bill|statement)/,
    /off (?:your|the) (?:next|january|february|march|april|may|june|july|august|september|october|november|december) (?:invoice|bill|statement)/,
    /put (?:the|a|that) (?:£[\d,.]+ )?credit on\b/,
    // "Credit you £15": account credit or money off a bill, whichever the scenario deals in.
    /\bcredit (?:you|your account|your bill) (?:with )?£[\d,.]+/,
  ]),
  'goodwill-payment': phrases(
    [
      /\bgoodwill/,
      /compensat\w*/,
      'gesture',
      /(?:arrange|book|get|getting|order|ordering|booking|pay for) (?:you )?a (?:taxi|cab|hotel)/,
      // Something for the trouble: "£20 for all the hassle", "a small payment for your time".
      sequence([
        /(?:£\d[\d,.]*|something|a payment|money|a credit)(?: [a-z]+){0,3} for /,
        /(?:the|your|my|all the|all your) (?:trouble|inconvenience|time|hassle|stress|upset)/,
      ]),
      // Paying what the problem cost the customer.
      /(?:refund|reimburse|pay back|cover|pay) (?:your |the |any )?(?:bank |overdraft |late payment )?(?:charges|fees)/,
      /pay (?:for|towards) (?:your|the) (?:bank charges?|charges|costs|taxi|hotel|time|day off|expenses)/,
      /cover (?:your|the) (?:bank charges?|charges|costs|taxi|hotel|expenses)/,
      /reimburse (?:your|the) (?:bank|charges|costs|taxi|hotel)/,
      // The customer's costs charged to the organisation: "book whatever taxis you need and stick them on us".
      /(?:stick|put|charge) (?:it|them|that|those|these|the \w+) (?:on|to) (?:us|the company|our account)\b/,
    ],
    // No word boundary in front of the list: "£" is no word character, so "\b£20" would not match
    // after a space.
    { begin: 'anywhere' },
  ),
  discount: phrases(
    [
      /\bdiscount\w*/,
      /\b\d+ ?(?:%|percent) off/,
      /£\d[\d,.]* off/,
      'money off',
      /reduc(?:e|ed|tion) (?:on )?(?:the|your) (?:price|bill|cost|fee)/,
      /knock \w+ off/,
      /off (?:the|your) (?:bill|price|next|total)/,
      'half price',
      /\bfree (?:trial|session|class|months?|treatment|appointment|haircut|cut|blow-?dry|night|stay|upgrade)\b/,
      /(?:on|for) the house/,
      /make (?:it|that|this|the \w+) free\b/,
    ],
    // As for goodwill: "£10 off" follows a space, where "\b" cannot match.
    { begin: 'anywhere' },
  ),
  'fee-waiver': phrases([
    /waiv\w*/,
    /take (?:it|that) off (?:the|your) (?:bill|account|invoice|balance)/,
    /take (?:the|that|your) (?:[£\w.-]+ ){0,3}(?:fee|charge) off\b/,
    /without (?:the|a|any) (?:fee|charge|penalty)/,
    sequence([
      /(?:drop the|remove the|cancel the|scrap the|write off the) /,
      /(?:cancellation |admin |late |change |early termination |exit |delivery )?(?:fee|charge|penalty)/,
    ]),
    // "No fee" on its own counts, but "no charge" only with the charge named ("no admin charge").
    /no (?:cancellation |admin |late |change |early termination |exit |delivery )?(?:fee|penalty)\b/,
    /no (?:cancellation|admin|late|change|early termination|exit|delivery) charge/,
    // Treating what is owed as paid: "I'll mark it as settled", "wipe the balance". ("Nothing to
    // pay as you're over 60" explains an exemption: no waiver.)
    /mark (?:it|that|this|the (?:balance|bill|charge|account|invoice)) (?:down )?as (?:settled|paid|cleared)/,
    /(?:wipe|wiped|wiping|clear|cleared|clearing) (?:the|your|that|this) (?:balance|debt|arrears|outstanding)/,
  ]),
  redelivery: phrases([/redeliver\w*/, /deliver (?:it |them )?again/, /new delivery (?:date|slot)/, 'another delivery']),
  reschedule: phrases([
    /reschedul\w*/,
    /(?:freeze|pause|suspend) (?:your|the) (?:membership|account|contract|payments)/,
    /re-?book\w*/,
    /move (?:your|the) (?:appointment|booking|date|delivery|stay)/,
    /another (?:slot|date|appointment|time)/,
    /(?:a )?later (?:slot|appointment|time)/,
    /change (?:the|your) (?:date|dates|booking)/,
  ]),
  upgrade: /\bupgrad\w*/,
  'price-match': /\bprice[- ]?match/,
  cancellation: phrases([
    /cancel (?:the|your) (?:contract|order|booking|membership|subscription|agreement)/,
    /let you (?:out of|cancel|leave)/,
    'release you from',
    /end (?:the|your) contract/,
  ]),
  callback: phrases([
    /(?:call|ring|phone) you back/,
    /(?:call|ring|phone) you (?:by|on|at|tomorrow|today|this|before|within|first)/,
    'call back',
  ]),
  investigation: phrases([/investigat\w*/, 'look into', 'looking into', /find out what (?:happened|went wrong)/]),
  // A promise of an outcome, including predicting someone else's decision: one definition for both.
  guarantee: MOVE_PATTERNS.guarantee,
  'share-personal-data': phrases([
    // Telling the customer about someone else's account.
    /(?:his|her|their) (?:account|balance|address|payments?|bill|statement|usage|arrears) (?:is|are|was|were|shows?)/,
    /(?:it|his account|her account|their account|the account) is not up to date/,
    /(?:he|she|they) (?:is|are|was|were) (?:in arrears|behind with|overdue)/,
    /(?:he|she|they) (?:owes?|owed) /,
    /i can (?:tell|give|read|send) you (?:his|her|their|the account holder)/,
    // Whose balance it is must be said: "so your balance is £735" tells the customer their own.
    /(?:his|her|their) (?:balance|amount owed|outstanding amount) is £/,
    // Who another customer is: "she's one of our Friday regulars".
    /(?:he|she|they) (?:is|are) (?:one of )?our (?:[a-z]+ )?(?:regulars|customers|clients|members|tenants|residents|patients|guests)\b/,
    /(?:the )?(?:balance|amount owed|outstanding) on (?:his|her|their) account is £/,
  ]),
};

/** A sentence that puts something on offer, as opposed to mentioning or refusing it. */
export const OFFER_FRAME = phrases([
  // The learner undertaking it, or having done it.
  sequence([
    /(?:i|we) /,
    anyOf([
      'can',
      'could',
      'will',
      'shall',
      'am going to',
      'are going to',
      'am happy to',
      'are happy to',
      'am able to',
      'are able to',
      'would like to offer',
      'would be happy to',
    ]),
    /\b/,
  ]),
  /(?:i|we) have (?:arranged|booked|processed|issued|put through|refunded|credited|added|applied|waived|approved|ordered|taken|wiped|knocked|written)/,
  // Done already, in everyday words: "I've switched your case onto the 11:20", "I've popped three months on".
  /(?:i|we) have (?:just |now |already |gone ahead and )?(?:switched|moved|changed|transferred|swapped|popped|marked|rebooked|sent|given|put)\b/,
  // Putting it to the customer.
  /would you (?:like|prefer|be happy with)/,
  // "Would a replacement on Saturday suit you?"
  /would (?:a|an|the) (?:[a-z0-9£.'-]+ ){1,6}(?:suit|work for|help) you/,
  'shall i',
  'do you want me to',
  'how about',
  'what about',
  'happy to',
  'let me',
  /you will (?:get|receive|have|be)/,
  /you can (?:have|get)/,
  /(?:i|we) offer/,
  'offer you',
  // Setting out options.
  'option is',
  'options are',
  'one option',
  'another option',
  'other option',
  'alternatively',
  // ("A refund is instead of travelling" says what a refund is; it offers none.)
  /(?<!\b(?:is|are|was|comes) )instead/,
  // Doing it now.
  /(?:i|we) am (?:getting|booking|putting|sending|giving|arranging|ordering|refunding|crediting|knocking)/,
  /(?:i|we) are (?:getting|booking|putting|sending|giving|arranging|ordering|refunding|crediting|knocking)/,
  // Making it free.
  /(?:is|'s|it is|that is|that is all) on (?:the house|us)/,
  /you will not pay (?:a penny|anything)/,
  /not (?:having|letting) you pay/,
  // Someone else granting it ("the manager will happily waive it"): a third party, not "you" or "we".
  sequence([
    /(?!(?:you|i|we|one|nobody|noone|nothing) )[a-z]+ will (?:definitely |certainly |surely |just |happily |easily )?/,
    anyOf([
      'give you',
      /pay (?:you|it|out)/,
      'refund',
      'approve',
      'agree to',
      'waive',
      'accept',
      'let you off',
      /write (?:it|that|the \w+) off/,
      'put a hold',
      'hold off',
      /stop (?:any|the|all)/,
    ]),
  ]),
  /here is (?:£\d|the (?:money|cash|keys?)|\w+ (?:quid|pounds))/,
  // A numbered or lettered option in a list: "Option 1: a refund", "b) a repair", "or - a voucher".
  /^(?:(?:option )?(?:one|two|three|1|2|3|a|b)|first(?:ly)?|second(?:ly)?|third(?:ly)?|or)\b ?[:,)–-]/,
]);

/** Words that make an offer depend on someone else's say: seeking approval, not granting. */
export const CONDITIONAL_FRAME = phrases([
  /if (?:my|the|our) (?:manager|supervisor|team leader|duty manager|boss)/,
  // Someone else asked to do it: "I can get my supervisor to ask Heathrow to put your case on the 11:20".
  /(?:get|ask) (?:my|the|our) (?:[a-z]+ ){0,2}(?:manager|supervisor|team leader|boss) to\b/,
  'subject to',
  /(?:may|might) be able to/,
  /see (?:if|whether)/,
  /ask (?:if|whether)/,
  /check (?:if|whether)/,
  // Declining to promise it.
  /(?:can not|could not|can't) promise/,
  'no promises',
  /i will (?:need to )?(?:ask|check)/,
  /approv\w*/,
  /authori[sz]\w*/,
  /sign[- ]off/,
  'not guaranteed',
  'can not guarantee',
  'do not want to promise',
  /see what (?:i|we) can do/,
  // Asking for it through a request: "I'll put a goodwill request in".
  // "A write-off request": the plain text spaces the hyphen ("write - off").
  // "I'm sending Nadia a request now to refund the three sessions."
  /(?:put|putting|raise|raising|log|logging|make|making|submit|submitting|send|sending|email|emailing|pass|passing) (?:[a-z]+ )?(?:a|the|an|my) (?:[a-z-]+ ){0,3}request\b/,
  // "I send Rob the request for a partial refund."
  /\b(?:a|the|my) request (?:for|to)\b/,
  // "The write-off request goes to Helen tomorrow."
  /\brequest (?:goes|will go|is going|would go|gets sent) to\b/,
  // "The goodwill request is with Mr Brierley"; "a refund to your card is decided by our duty manager".
  /\brequest (?:is|has gone|went) (?:with|to|in)\b/,
  /\b(?:is|are) (?:decided|approved|authori[sz]ed|signed off|agreed) by\b/,
  // A request named as a thing: "alongside the refund request".
  /\b(?:the|your|this|that) (?:[a-z'-]+ ){1,2}request\b/,
  // Telling the approver what the customer wants: "I'll tell Sue you want compensation looked at".
  /\b(?:tell|telling|let|letting|ask|asking) (?:[a-z]+ )?(?:know )?(?:that )?you (?:want|would like|are (?:after|asking for|wanting)|asked for)\b/,
  /\bwho decides\b/,
  // What evidence would allow: "the footage is what allows me to agree a repair today".
  /\b(?:allows|lets|would let|would allow|will let|will allow) me (?:to )?/,
  /(?:raise|submit|send) (?:a|an) [a-z ]{0,40}request/,
]);

/** A promise to give: with an amount and no action word, the action is inferred from context. */
export const GIVE_FRAME = phrases([
  sequence([
    anyOf([
      /(?:i|we) (?:will|can|am going to|are going to|shall) (?:put|pay|give|send|credit|transfer|get|sort|add)/,
      /you will (?:get|receive|have)/,
    ]),
    / (?:you |back |the |a |an |extra )*/,
    // An amount: "£50", "fifty", "a hundred", "50 quid".
    anyOf([/£\d/, /(?:\w+ )?(?:hundred|fifty|twenty|thirty|forty|sixty|seventy|eighty|ninety)\b/, /\d+ (?:quid|pounds)/]),
  ]),
  /here is (?:£\d|\w+ (?:quid|pounds))/,
  // Taking it off what is owed: "I've taken the roaming off this bill, all £186", "wipe this week's rent off".
  sequence([
    /(?:i|we) (?:have |will |can |am going to |are going to |am |are )?(?:taken|take|taking|wipe|wiped|wiping|knock|knocked|knocking) /,
    /(?:[£\w.'-]+ ){1,5}off (?:the|this|your|his|her) (?:bill|account|rent|balance|statement|invoice)/,
  ]),
]);

/**
 * Saying yes to what the customer just asked for ("Can you guarantee Friday?" "Yes, of course."):
 * an offer of that action, though the learner names no action at all.
 */
export const ASSENT = phrases(
  [
    'yes',
    'yeah',
    'yep',
    'of course',
    'absolutely',
    'definitely',
    'defo',
    'deffo',
    'certainly',
    'no problem',
    'no worries',
    'sure',
    'consider it done',
    'will do',
    'that is fine',
    'that is no problem',
    'that is not a problem',
    'i can do that',
    'we can do that',
    'i will do that',
    'i will sort that',
    'done',
  ],
  // At the very start of the reply, after at most one "ok, " or "yes, ".
  { begin: /^(?:(?:oh|ok|okay|right|yes|yeah|yep),? )?/, end: 'word' },
);

/** The customer asking for something, rather than describing it. */
export const REQUEST = /\b(?:can|could|will|would) you\b|\bi (?:want|need|expect|would like)\b|\b(?:please|promise me|guarantee)\b|\?/;

/** Actions every advisor may take unless a scenario says otherwise. */
export const ORDINARY_ACTIONS: ReadonlySet<ActionKind> = new Set(['callback', 'investigation']);
