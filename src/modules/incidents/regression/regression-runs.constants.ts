import { JobName } from 'src/queue/queue.constants';

export const REGRESSION_RUN_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type RegressionRunStatus = (typeof REGRESSION_RUN_STATUSES)[number];

export const REGRESSION_PHASES = ['queued', 'before', 'after', 'done'] as const;
export type RegressionPhase = (typeof REGRESSION_PHASES)[number];

/** Payload of a `regressions.run-regression` job. */
export interface RunRegressionJob {
  workspaceId: string;
  runId: string;
}

export interface RegressionJobs {
  [JobName.RunRegression]: RunRegressionJob;
}

/** One job id per run: enqueueing a run twice is a no-op. */
export const regressionJobId = (runId: string) => `regression:${runId}`;

/** Sessions counted per side, the most recent ones in the window; more are reported as `truncated`. */
export const REGRESSION_MAX_SESSIONS_PER_SIDE = 5_000;
/** Sessions whose analyses are read (and, when missing, made) between two progress updates. */
export const REGRESSION_CHUNK = 50;
