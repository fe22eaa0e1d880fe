/** The OTLP/HTTP traces routes: the exporters' default path, and the LangSmith SDK's OTLP mode. */
export const OTLP_TRACES_PATH = 'v1/traces';
export const LANGSMITH_OTLP_TRACES_PATH = 'api/v1/otel/v1/traces';

export const PROTOBUF_MEDIA_TYPE = 'application/x-protobuf';
export const JSON_MEDIA_TYPE = 'application/json';
/** What the routes consume; anything else is 415 (global ContentTypeGuard). */
export const OTLP_MEDIA_TYPES = [PROTOBUF_MEDIA_TYPE, JSON_MEDIA_TYPE];

/** How many refusals `partial_success.error_message` spells out (the count covers them all). */
export const OTLP_MAX_REASONS_IN_MESSAGE = 10;

/** `Retry-After` of a 503 when storing failed on our side. */
export const OTLP_RETRY_AFTER_SECONDS = 5;
