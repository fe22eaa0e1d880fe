import { HttpStatus } from '@nestjs/common';
import { AppException, FieldError } from 'src/common/errors/app.exception';
import type { RunIngestError } from 'src/modules/traces/runs/runs.types';

export enum LangsmithErrorCode {
  RunsRejected = 'runs_rejected',
  RunConflict = 'run_conflict',
  MalformedMultipart = 'malformed_multipart',
  UnsupportedEncoding = 'unsupported_content_encoding',
}

export class LangsmithException extends AppException {}

/** The per-run refusals of an ingest, as problem `errors[]` (field = the run or feedback they are about). */
export function runFieldErrors(errors: RunIngestError[]): FieldError[] {
  return errors.map((e) => ({ field: e.run_id ? `run ${e.run_id}` : 'run', message: e.reason }));
}

export class MalformedMultipartException extends LangsmithException {
  constructor(detail: string) {
    super(HttpStatus.BAD_REQUEST, LangsmithErrorCode.MalformedMultipart, detail);
  }
}
