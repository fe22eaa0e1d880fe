import { HttpStatus } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';

export const RegressionErrorCode = {
  /** The incident affected several agents (or not the one named): name one of them. */
  AgentRequired: 'agent_required',
  /** The incident has no affected agent (its sessions were unlinked). */
  NoAffectedAgent: 'no_affected_agent',
  /** No version the incident was seen in came before the candidate (or none carries a version): name `baseline_versions`. */
  NoBaselineVersion: 'no_baseline_version',
  /** No version of the agent was seen after those the incident was seen in: name `candidate_version`. */
  NoCandidateVersion: 'no_candidate_version',
  /** The candidate is one of the baseline versions. */
  CandidateIsBaseline: 'candidate_is_baseline',
  /** `since` is not before `until`. */
  InvalidWindow: 'invalid_window',
} as const;
export type RegressionErrorCode = (typeof RegressionErrorCode)[keyof typeof RegressionErrorCode];

export class RegressionException extends AppException {
  constructor(status: HttpStatus, code: RegressionErrorCode, detail: string, extras: Record<string, unknown> = {}) {
    super(status, code, detail, extras);
  }
}

/** A failure retrying cannot fix (the incident is gone): the run fails at once. */
export class PermanentRegressionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
