import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsJSON,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase()) : value;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Every setting Flightdeck reads, validated once at boot. The README's configuration table is
 * written from this class: keep both in step.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** Base URL clients reach this server on; signed local-storage URLs are built on it. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PUBLIC_URL?: string;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /**
   * How far V8 lets the heap grow past what survived the last full collection, in percent
   * (100 = to twice the live size); 0 leaves V8's own choice, which grows a busy heap up to 4x.
   * Requests no longer leave hidden classes behind in the old generation (see
   * FlightdeckExpressAdapter), so full collections are rare and cheap enough to hold the heap
   * closer to its live size.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  HEAP_GROWING_PERCENT = 70;

  /** Where the embedded database and the local object storage keep their files. */
  @IsString()
  DATA_DIR = './data';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE = 20;

  @Transform(toBoolean)
  @IsBoolean()
  DATABASE_MIGRATIONS_RUN = true;

  /** The hot statements (the ingest insert) as named prepared statements: planned once per connection. */
  @Transform(toBoolean)
  @IsBoolean()
  DATABASE_PREPARED_STATEMENTS = true;

  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** The API process also runs queue processors unless this is false (then run `npm run start:worker`). */
  @Transform(toBoolean)
  @IsBoolean()
  RUN_PROCESSORS = true;

  @IsOptional()
  @IsString()
  S3_BUCKET?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  S3_ENDPOINT?: string;

  @IsString()
  S3_REGION = 'us-east-1';

  @IsOptional()
  @IsString()
  S3_ACCESS_KEY_ID?: string;

  @IsOptional()
  @IsString()
  S3_SECRET_ACCESS_KEY?: string;

  @Transform(toBoolean)
  @IsBoolean()
  S3_FORCE_PATH_STYLE = false;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3600)
  SIGNED_URL_TTL_SECONDS = 300;

  /** How often a job-running process removes the stored objects of deleted projects and workspaces. */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  STORAGE_SWEEP_INTERVAL_MS = 30_000;

  /** HMAC secret for local-storage signed URLs; generated under DATA_DIR when unset. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  STORAGE_SIGNING_SECRET?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  OIDC_ISSUER_URL?: string;

  @IsOptional()
  @IsString()
  OIDC_AUDIENCE?: string;

  /** HS256 secret for setups without an identity provider. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  JWT_SECRET?: string;

  @IsOptional()
  @IsString()
  JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  JWT_AUDIENCE?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300)
  JWT_CLOCK_TOLERANCE_SECONDS = 30;

  /** Claim holding the workspace role (owner|admin|member|viewer); memberships decide when absent. */
  @IsString()
  JWT_ROLE_CLAIM = 'flightdeck_role';

  /** Claim holding the workspace id or slug the token acts in. */
  @IsString()
  JWT_WORKSPACE_CLAIM = 'flightdeck_workspace';

  /** Claim that marks a superadmin when it is true or lists `superadmin` (e.g. `groups`). */
  @IsString()
  JWT_SUPERADMIN_CLAIM = 'flightdeck_superadmin';

  /** Role given to a user signing in by SSO for the first time when no claim names one. */
  @IsIn(['owner', 'admin', 'member', 'viewer'])
  JWT_DEFAULT_ROLE: 'owner' | 'admin' | 'member' | 'viewer' = 'viewer';

  /**
   * How long a process keeps an API key's principal (ms; 0: look every key up on every request).
   * A revoked key stops at once on the process that revoked it, on the others within this time.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  AUTH_API_KEY_CACHE_TTL_MS = 5_000;

  @IsEmail({ require_tld: false })
  BOOTSTRAP_ADMIN_EMAIL = 'admin@flightdeck.local';

  /** Comma-separated allowed origins, or `*`. Empty disables CORS. */
  @IsString()
  CORS_ORIGINS = '';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_TTL_SECONDS = 60;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_MAX = 6000;

  /** Most events one append request may carry (more: 413). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  INGEST_MAX_EVENTS_PER_BATCH = 1000;

  /** Largest serialized event, in bytes (larger: 413). */
  @Transform(toInt)
  @IsInt()
  @Min(256)
  INGEST_MAX_EVENT_BYTES = 256 * 1024;

  /** Largest uploaded session file (JSONL), in bytes (larger: 413). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  UPLOAD_MAX_BYTES = 1024 * 1024 * 1024;

  /** Media types accepted as artifacts, comma-separated (others: 415). */
  @Matches(/^\s*[\w.+-]+\/[\w.+-]+\s*(,\s*[\w.+-]+\/[\w.+-]+\s*)*$/, {
    message: 'must be a comma-separated list of media types',
  })
  ARTIFACT_CONTENT_TYPES =
    'image/png,image/jpeg,image/webp,video/webm,video/mp4,application/json,application/x-ndjson,text/plain,application/octet-stream';

  /** Largest artifact, in bytes (larger: 413). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ARTIFACT_MAX_BYTES = 100 * 1024 * 1024;

  /** Seconds between SSE heartbeat comments on /api/stream. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(300)
  STREAM_HEARTBEAT_SECONDS = 15;

  /**
   * Key-encryption key of ModelOps credentials: `<version>:<base64 of 32 bytes>`. Required in
   * production; elsewhere one is generated once under DATA_DIR when unset.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,32}:[A-Za-z0-9+/]{43}=$/, { message: 'must be <version>:<base64 of 32 bytes>' })
  MODELOPS_KEK?: string;

  /** Earlier key-encryption keys (comma-separated `<version>:<base64>`), kept to unwrap until rotated. */
  @IsOptional()
  @Matches(/^([A-Za-z0-9_.-]{1,32}:[A-Za-z0-9+/]{43}=)(,[A-Za-z0-9_.-]{1,32}:[A-Za-z0-9+/]{43}=)*$/, {
    message: 'must be a comma-separated list of <version>:<base64 of 32 bytes>',
  })
  MODELOPS_KEK_PREVIOUS?: string;

  /** Base URL of the model hub used for discovery and downloads (Hugging Face API compatible). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  MODEL_HUB_URL = 'https://huggingface.co';

  /** Outbound calls to providers and the hub may target private/loopback addresses only when true. */
  @Transform(toBoolean)
  @IsBoolean()
  OUTBOUND_ALLOW_PRIVATE = false;

  /**
   * Webhooks may target private/loopback addresses only when true. Apart from
   * OUTBOUND_ALLOW_PRIVATE: webhook URLs are set by workspace admins, not platform superadmins.
   */
  @Transform(toBoolean)
  @IsBoolean()
  WEBHOOKS_ALLOW_PRIVATE_TARGETS = false;

  /** How long one webhook delivery attempt may take (connect, answer and the read of its excerpt). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120_000)
  WEBHOOKS_TIMEOUT_MS = 10_000;

  /** Attempts of one webhook delivery before it is marked failed. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  WEBHOOKS_MAX_ATTEMPTS = 8;

  /** Base of the exponential backoff between webhook attempts: waits base × (2^n − 1) after attempt n. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  WEBHOOKS_RETRY_BASE_DELAY_MS = 30_000;

  /**
   * PII patterns examples redact when asked (`redact_pii`), comma-separated built-in names:
   * `email`, `api_key`, `bearer_token`, `phone`.
   */
  @Matches(/^\s*[a-z][a-z0-9_]*\s*(,\s*[a-z][a-z0-9_]*\s*)*$/, {
    message: 'must be a comma-separated list of pattern names',
  })
  EXAMPLES_PII_PATTERNS = 'email,api_key,bearer_token,phone';

  /** More PII patterns: a JSON object of name → regular expression, e.g. `{"employee_id":"EMP-\\d{6}"}`. */
  @IsOptional()
  @IsJSON()
  EXAMPLES_PII_CUSTOM_PATTERNS?: string;

  /** Default `max_messages_per_record` of per-assistant-turn examples (the sliding window). */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(1000)
  EXAMPLES_MAX_MESSAGES_PER_RECORD = 50;

  /** Analyse sessions automatically when they end and when late events arrive (a Bull job). */
  @Transform(toBoolean)
  @IsBoolean()
  ANALYSIS_AUTO = true;

  /** Quiet time (ms) after an end or a late event before a session is analysed: bursts give one run. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  ANALYSIS_DEBOUNCE_MS = 5_000;

  /** Most events of one session the detectors read (the first ones, in order). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(10_000_000)
  ANALYSIS_MAX_EVENTS = 200_000;

  /** Detector `repeated_tool_call`: identical tool calls that make a loop. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(1000)
  ANALYSIS_LOOP_MIN_REPEATS = 3;

  /** Detector `no_progress`: agent actions in a row without progress. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(1000)
  ANALYSIS_NO_PROGRESS_STEPS = 8;

  /** Detector `timeout`: client-clock gap (seconds) that counts as a timeout. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(604_800)
  ANALYSIS_TIMEOUT_GAP_SECONDS = 300;

  /** Detector `abandoned`: seconds without an event after which a session that never ended is abandoned. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(2_592_000)
  ANALYSIS_ABANDON_AFTER_SECONDS = 1800;

  /** Detector `retries_exhausted`: failed attempts in a row that exhaust the retries. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  ANALYSIS_MAX_RETRIES = 3;

  /** Detector `runaway_usage`: tokens of one session above which usage is runaway. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ANALYSIS_MAX_TOKENS = 200_000;

  /** Detector `runaway_usage`: cost (USD) of one session above which usage is runaway. */
  @Transform(toInt)
  @IsNumber()
  @Min(0.000001)
  ANALYSIS_MAX_COST_USD = 5;

  /** Findings below this confidence form no incident. */
  @Transform(toInt)
  @IsNumber()
  @Min(0)
  @Max(1)
  ANALYSIS_INCIDENT_MIN_CONFIDENCE = 0.5;

  /** Largest JSON body accepted, in bytes. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  HTTP_BODY_LIMIT_BYTES = 10 * 1024 * 1024;
}

/** Validates process.env; a bad value stops the process with one line per variable. */
export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  const lines = errors.map((e) => {
    const accepts = Object.values(e.constraints ?? {}).join('; ');
    return `Invalid environment variable ${e.property}: ${accepts}`;
  });
  if (env.NODE_ENV === 'production' && !env.MODELOPS_KEK) {
    lines.push('Invalid environment variable MODELOPS_KEK: must be set in production (<version>:<base64 of 32 bytes>)');
  }
  if (env.OIDC_ISSUER_URL && !env.OIDC_AUDIENCE) {
    lines.push('Invalid environment variable OIDC_AUDIENCE: must be set when OIDC_ISSUER_URL is set');
  }
  if (lines.length > 0) throw new Error(lines.join('\n'));
  return env;
}
