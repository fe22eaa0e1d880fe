import { resolve } from 'node:path';
import { ConfigService, registerAs } from '@nestjs/config';
import { EnvironmentVariables, validateEnvironment } from './env.validation';

let validated: EnvironmentVariables | undefined;

/** The validated environment, read once per process. */
export function env(): EnvironmentVariables {
  validated ??= validateEnvironment(process.env);
  return validated;
}

/**
 * Sets defaults for this process before anything reads the configuration (tools and tests that
 * run the app in a scratch directory). Variables the caller already exported win.
 */
export function overrideEnvironment(values: Record<string, string>, options: { force?: boolean } = {}): void {
  for (const [name, value] of Object.entries(values)) {
    if (options.force || process.env[name] === undefined) process.env[name] = value;
  }
  validated = undefined;
}

export const appConfig = registerAs('app', () => {
  const e = env();
  return {
    nodeEnv: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    dataDir: resolve(e.DATA_DIR),
    bootstrapAdminEmail: e.BOOTSTRAP_ADMIN_EMAIL,
    version: process.env.npm_package_version ?? '0.1.0',
  };
});

export const databaseConfig = registerAs('database', () => {
  const e = env();
  return {
    url: e.DATABASE_URL,
    poolSize: e.DATABASE_POOL_SIZE,
    migrationsRun: e.DATABASE_MIGRATIONS_RUN,
    preparedStatements: e.DATABASE_PREPARED_STATEMENTS,
  };
});

export const queueConfig = registerAs('queue', () => {
  const e = env();
  return { redisUrl: e.REDIS_URL, runProcessors: e.RUN_PROCESSORS };
});

export const storageConfig = registerAs('storage', () => {
  const e = env();
  const s3 = e.S3_BUCKET
    ? {
        bucket: e.S3_BUCKET,
        endpoint: e.S3_ENDPOINT,
        region: e.S3_REGION,
        accessKeyId: e.S3_ACCESS_KEY_ID,
        secretAccessKey: e.S3_SECRET_ACCESS_KEY,
        forcePathStyle: e.S3_FORCE_PATH_STYLE,
      }
    : undefined;
  return {
    s3,
    signedUrlTtlSeconds: e.SIGNED_URL_TTL_SECONDS,
    signingSecret: e.STORAGE_SIGNING_SECRET,
    sweepIntervalMs: e.STORAGE_SWEEP_INTERVAL_MS,
  };
});

export const authConfig = registerAs('auth', () => {
  const e = env();
  return {
    oidcIssuerUrl: e.OIDC_ISSUER_URL?.replace(/\/+$/, ''),
    oidcAudience: e.OIDC_AUDIENCE,
    jwtSecret: e.JWT_SECRET,
    jwtIssuer: e.JWT_ISSUER,
    jwtAudience: e.JWT_AUDIENCE,
    clockToleranceSeconds: e.JWT_CLOCK_TOLERANCE_SECONDS,
    roleClaim: e.JWT_ROLE_CLAIM,
    workspaceClaim: e.JWT_WORKSPACE_CLAIM,
    superadminClaim: e.JWT_SUPERADMIN_CLAIM,
    defaultRole: e.JWT_DEFAULT_ROLE,
    apiKeyCacheTtlMs: e.AUTH_API_KEY_CACHE_TTL_MS,
  };
});

export const httpConfig = registerAs('http', () => {
  const e = env();
  const origins = e.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return {
    corsOrigins: origins,
    rateLimitTtlMs: e.RATE_LIMIT_TTL_SECONDS * 1000,
    rateLimitMax: e.RATE_LIMIT_MAX,
    bodyLimitBytes: e.HTTP_BODY_LIMIT_BYTES,
  };
});

export const ingestConfig = registerAs('ingest', () => {
  const e = env();
  return {
    maxEventsPerBatch: e.INGEST_MAX_EVENTS_PER_BATCH,
    maxEventBytes: e.INGEST_MAX_EVENT_BYTES,
    uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    streamHeartbeatMs: e.STREAM_HEARTBEAT_SECONDS * 1000,
  };
});

export const artifactsConfig = registerAs('artifacts', () => {
  const e = env();
  return {
    /** Lower-case media types without parameters. */
    contentTypes: e.ARTIFACT_CONTENT_TYPES.split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
    maxBytes: e.ARTIFACT_MAX_BYTES,
  };
});

export const modelopsConfig = registerAs('modelops', () => {
  const e = env();
  const parse = (entry: string) => {
    const [version, key] = entry.split(':');
    return { version, key: Buffer.from(key, 'base64') };
  };
  return {
    /** Current key-encryption key; undefined outside production means: generate one under DATA_DIR. */
    kek: e.MODELOPS_KEK ? parse(e.MODELOPS_KEK) : undefined,
    previousKeks: (e.MODELOPS_KEK_PREVIOUS ?? '').split(',').filter(Boolean).map(parse),
    hubUrl: e.MODEL_HUB_URL.replace(/\/+$/, ''),
    outboundAllowPrivate: e.OUTBOUND_ALLOW_PRIVATE,
  };
});

export const webhooksConfig = registerAs('webhooks', () => {
  const e = env();
  return {
    allowPrivateTargets: e.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
    timeoutMs: e.WEBHOOKS_TIMEOUT_MS,
    maxAttempts: e.WEBHOOKS_MAX_ATTEMPTS,
    retryBaseDelayMs: e.WEBHOOKS_RETRY_BASE_DELAY_MS,
  };
});

export const examplesConfig = registerAs('examples', () => {
  const e = env();
  return {
    /** Built-in PII pattern names (checked when the examples module starts). */
    piiPatterns: e.EXAMPLES_PII_PATTERNS.split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    /** Named regular expressions of the operator's own (EXAMPLES_PII_CUSTOM_PATTERNS, a JSON object). */
    piiCustomPatterns: e.EXAMPLES_PII_CUSTOM_PATTERNS
      ? (JSON.parse(e.EXAMPLES_PII_CUSTOM_PATTERNS) as Record<string, string>)
      : {},
    maxMessagesPerRecord: e.EXAMPLES_MAX_MESSAGES_PER_RECORD,
  };
});

export const analysisConfig = registerAs('analysis', () => {
  const e = env();
  return {
    /** Analyse sessions when they end, and again when late events arrive. */
    auto: e.ANALYSIS_AUTO,
    debounceMs: e.ANALYSIS_DEBOUNCE_MS,
    maxEvents: e.ANALYSIS_MAX_EVENTS,
    /** Defaults of the detectors' thresholds (a request may override them). */
    thresholds: {
      loopMinRepeats: e.ANALYSIS_LOOP_MIN_REPEATS,
      noProgressSteps: e.ANALYSIS_NO_PROGRESS_STEPS,
      timeoutGapMs: e.ANALYSIS_TIMEOUT_GAP_SECONDS * 1000,
      abandonAfterMs: e.ANALYSIS_ABANDON_AFTER_SECONDS * 1000,
      maxRetries: e.ANALYSIS_MAX_RETRIES,
      maxTokens: e.ANALYSIS_MAX_TOKENS,
      maxCostUsd: e.ANALYSIS_MAX_COST_USD,
      incidentMinConfidence: e.ANALYSIS_INCIDENT_MIN_CONFIDENCE,
    },
  };
});

export const allConfigs = [
  appConfig,
  databaseConfig,
  queueConfig,
  storageConfig,
  authConfig,
  httpConfig,
  ingestConfig,
  analysisConfig,
  artifactsConfig,
  modelopsConfig,
  examplesConfig,
  webhooksConfig,
];

export interface AllConfig {
  app: ReturnType<typeof appConfig>;
  database: ReturnType<typeof databaseConfig>;
  queue: ReturnType<typeof queueConfig>;
  storage: ReturnType<typeof storageConfig>;
  auth: ReturnType<typeof authConfig>;
  http: ReturnType<typeof httpConfig>;
  ingest: ReturnType<typeof ingestConfig>;
  analysis: ReturnType<typeof analysisConfig>;
  artifacts: ReturnType<typeof artifactsConfig>;
  modelops: ReturnType<typeof modelopsConfig>;
  examples: ReturnType<typeof examplesConfig>;
  webhooks: ReturnType<typeof webhooksConfig>;
}

/** The typed ConfigService every module injects: `config.getOrThrow('auth', { infer: true })`. */
export type AppConfigService = ConfigService<AllConfig, true>;
