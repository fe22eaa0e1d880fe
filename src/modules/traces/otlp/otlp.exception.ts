import { HttpStatus } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';

/** A body that is not an `ExportTraceServiceRequest` in the encoding it claims: 400, nothing stored. */
export class OtlpInvalidRequestException extends AppException {
  constructor(detail: string) {
    super(HttpStatus.BAD_REQUEST, 'invalid_otlp_request', detail);
  }
}

/**
 * Storing failed for a reason on our side (the database is unreachable, a timeout): 503 with
 * `Retry-After`, which OTLP exporters retry, so the spans are not lost. A 500 they would drop.
 */
export class OtlpUnavailableException extends AppException {
  constructor(retryAfterSeconds: number) {
    super(
      HttpStatus.SERVICE_UNAVAILABLE,
      'ingest_unavailable',
      'The spans could not be stored right now; send them again after the Retry-After delay',
      { retryAfterSeconds },
    );
  }
}
