import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
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
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  HEAP_GROWING_PERCENT = 100;

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

  /** Outbound calls (providers, webhooks) may target private/loopback addresses only when true. */
  @Transform(toBoolean)
  @IsBoolean()
  OUTBOUND_ALLOW_PRIVATE = false;

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
