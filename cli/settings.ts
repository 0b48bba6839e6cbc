/**
 * Settings read from the environment, each listed with a one-line explanation in `.env.example`.
 * Read once, here, so the engine itself never touches `process.env`.
 */
import { z } from 'zod';
import { DEFAULT_RUBRICS_DIR } from '../engine/rubric-library.ts';
import { CUSTOMER_MODES, JUDGE_MODES } from './rehearsal-parts.ts';

/** A setting left empty, as in a copied `.env.example`, means "use the default". */
const optional = (fallback: string) => z.preprocess((v) => (v === '' ? undefined : v), z.string().default(fallback));

const SettingsSchema = z.object({
  /** The folder of rubric and scenario files; defaults to the rubrics/ shipped with ServiceSim. */
  SERVICESIM_RUBRICS: optional(DEFAULT_RUBRICS_DIR),
  /** Where transcripts and evidence are kept: the SQLite database `servicesim.db` in this folder, unless REDIS_URL is set. */
  DATA_DIR: optional('./data'),
  /**
   * Keep state and evidence in Redis instead (`redis://…` or `rediss://…` with TLS, as Azure Cache
   * for Redis needs); several bot processes can then share it. Never logged: it carries the password.
   */
  REDIS_URL: optional(''),
  /** `true`: REDIS_URL is a comma-separated list of Redis Cluster seed nodes. */
  REDIS_CLUSTER: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['true', 'false']).default('false')),
  /** A conversation (and its unfinished rehearsal) left untouched this many days is forgotten; evidence is kept for ever. 0: never forgotten. */
  STATE_EXPIRY_DAYS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().min(0).max(3650).default(30)),
  /**
   * A rehearsal left without `end` this many days is scored as it stands and kept as evidence, as
   * abandoned; until then the learner can take it up again, in any conversation. Shorter than
   * STATE_EXPIRY_DAYS (checked), so nothing is forgotten first. 0: never (it is forgotten with its state).
   */
  ABANDONED_AFTER_DAYS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(3650).default(7)),
  /**
   * Days after which a rehearsal's evidence (record, reviews, everything about it) is deleted.
   * Empty or 0: kept until a tutor or an admin erases it (UK colleges usually keep evidence for the
   * qualification's life, then a set number of years: set it to the college's policy).
   */
  RETENTION_DAYS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(36500).default(0)),
  /** A learning record store (xAPI 1.0.3) to send every rehearsal and review to, e.g. https://lrs.example.ac.uk/xapi. Empty: none. */
  XAPI_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional()),
  /** The LRS's Basic credentials (its key and secret). Never logged. */
  XAPI_USERNAME: optional(''),
  XAPI_PASSWORD: optional(''),
  /** The bot's port; Azure Bot registrations and the Teams app point at /api/messages on it. */
  PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).default(3978)),
  /** The interface to listen on when authenticated; local anonymous mode always uses loopback. */
  HOST: optional('0.0.0.0'),
  /** The Azure Bot registration. Without an app id the bot runs in local anonymous mode. */
  MicrosoftAppId: optional(''),
  MicrosoftAppPassword: optional(''),
  MicrosoftAppType: optional('SingleTenant'),
  MicrosoftAppTenantId: optional(''),
  /** pino log level: fatal, error, warn, info, debug, trace or silent. */
  LOG_LEVEL: optional('info'),
  NODE_ENV: optional(''),
  /** Filled into the Teams app package by `npm run package:teams`. */
  SERVICESIM_ORGANISATION: optional('ServiceSim'),
  SERVICESIM_WEBSITE_URL: optional('https://github.com/servicesim/servicesim'),
  /**
   * `off` lifts the per-client and per-conversation rate limits (`bot/http-limits.ts`): for load
   * benchmarks, whose floods of messages the limits would rightly refuse. Connection and size
   * limits always apply.
   */
  RATE_LIMITS: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['on', 'off']).default('on')),
  /** How many reverse proxies stand in front of the bot, adding X-Forwarded-For (see README, "The HTTP edge"). */
  TRUSTED_PROXY_HOPS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(10).default(0)),
  /** Where tutors reach the review pages; `https://…` marks their cookies Secure. Empty: http://localhost:PORT. */
  PUBLIC_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional()),
  /** The organisation's OpenID Connect issuer: tutors then sign in through it instead of with passwords. */
  OIDC_ISSUER: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional()),
  OIDC_CLIENT_ID: optional(''),
  /** Never logged. */
  OIDC_CLIENT_SECRET: optional(''),
  OIDC_PROVIDER_NAME: optional('your organisation'),
  /**
   * Who plays the customer: `scripted` (offline, deterministic) or `llm` (the scripted customer
   * decides, a model words it; needs OPENAI_API_KEY or OPENAI_BASE_URL).
   */
  CUSTOMER_MODE: z.preprocess((v) => (v === '' ? undefined : v), z.enum(CUSTOMER_MODES).default('scripted')),
  /** Who scores the learner: `rules` (offline, deterministic), `llm` (a model, checked by the engine) or `hybrid` (a model confirming or rejecting the rules' findings). */
  JUDGE_MODE: z.preprocess((v) => (v === '' ? undefined : v), z.enum(JUDGE_MODES).default('rules')),
  /** The model provider's key. Never logged. A local server (Ollama, vLLM, LM Studio) needs none. */
  OPENAI_API_KEY: optional(''),
  /** An OpenAI-compatible endpoint other than OpenAI's, e.g. http://127.0.0.1:11434/v1 for Ollama. Empty: OpenAI. */
  OPENAI_BASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional()),
  /** Azure OpenAI instead: the resource's endpoint, e.g. https://my-resource.openai.azure.com. The model names below are then deployment names. */
  AZURE_OPENAI_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https$/ }).optional()),
  AZURE_OPENAI_API_VERSION: optional('2024-10-21'),
  /** The model (or Azure deployment) that plays the customer: fast and cheap is right, it only words the engine's decision. */
  CUSTOMER_MODEL: optional('gpt-4o-mini'),
  /** The model (or Azure deployment) that judges: one call per rehearsal, so a stronger model is affordable. */
  JUDGE_MODEL: optional('gpt-4o'),
  /** Each model call's timeout, per attempt; the learner gets the scripted reply when it passes. */
  LLM_TIMEOUT_MS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(100).max(600_000).default(20_000)),
  /** The longest a learner waits for the customer's reply, every attempt and retry included; then the scripted words are used. */
  LLM_TURN_BUDGET_MS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(500).max(120_000).default(12_000)),
  /** Retries of a call that failed in a way that may pass (429, 5xx, a timeout). */
  LLM_MAX_RETRIES: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(5).default(2)),
  /** The most one rehearsal may spend on model calls, in the prices' currency; 0: no cap. Needs the prices below. */
  LLM_SPENDING_CAP: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().min(0).default(0.5)),
  /** Prices per million tokens (input, cached input, output), in any one currency; 0: costs not counted. */
  LLM_PRICE_INPUT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().min(0).default(0)),
  LLM_PRICE_CACHED_INPUT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().min(0).default(0)),
  LLM_PRICE_OUTPUT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().min(0).default(0)),
  /** The folder of prompt files (customer.yaml, reader.yaml, judge.yaml); defaults to the prompts/ shipped with ServiceSim. */
  SERVICESIM_PROMPTS: optional(''),
});

export type Settings = z.infer<typeof SettingsSchema>;

/** Settings that are each fine alone but not together: the message names both. */
function contradictions(settings: Settings): string | undefined {
  const { ABANDONED_AFTER_DAYS: abandoned, STATE_EXPIRY_DAYS: expiry } = settings;
  if (abandoned > 0 && expiry > 0 && abandoned >= expiry)
    return `the setting ABANDONED_AFTER_DAYS is ${abandoned}, but STATE_EXPIRY_DAYS is ${expiry}: an unfinished rehearsal would be forgotten before it is kept as abandoned. Set ABANDONED_AFTER_DAYS below STATE_EXPIRY_DAYS (set in the environment or .env)`;
  return undefined;
}

/** A setting that cannot be used: the message names it and says what it may be. */
class SettingsError extends Error {}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = SettingsSchema.safeParse(env);
  if (parsed.success) {
    const contradiction = contradictions(parsed.data);
    if (contradiction) throw new SettingsError(contradiction);
    return parsed.data;
  }
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0]);
  const allowed =
    'values' in issue && Array.isArray(issue.values)
      ? `; it may be ${issue.values.map((v) => `"${String(v)}"`).join(' or ')}`
      : `: ${issue.message}`;
  // Named with the value given, so a typo in .env or the environment is found at once.
  throw new SettingsError(`the setting ${name} is "${String(env[name])}"${allowed} (set in the environment or .env)`);
}
