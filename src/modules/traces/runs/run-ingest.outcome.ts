import { QueryFailedError } from 'typeorm';
import type { RunAttachmentRef } from './entities/run.entity';
import { SessionEventBatches } from './run-events.appender';
import { RunEventSource, runSessionEvents } from './run-events';
import type { NormalizedRun } from './run-input.normalizer';
import type { WrittenRun } from './runs.repository';
import type { RunEventInput, RunIngestError } from './runs.types';

/*
 * The bookkeeping of one ingest call (what RunsIngestService accumulates while it writes): the
 * operations, refusals, counts and session events, and how written rows become event sources.
 */

/** One run operation of a batch, after validation and merging. */
export interface Op {
  run: NormalizedRun;
  extra: RunEventInput[];
  attachments?: Record<string, RunAttachmentRef>;
}

/** The state of one ingest call: its refusals, counts and the session events to append. */
export class Outcome {
  readonly errors: RunIngestError[] = [];
  events = new SessionEventBatches();
  created = 0;
  updated = 0;

  constructor(readonly workspaceId: string) {}

  refuse(runId: string | null, code: RunIngestError['code'], reason: string): void {
    this.errors.push({ run_id: runId, code, reason });
  }

  logged(written: WrittenRun, source: RunEventSource, start: boolean, extra: RunEventInput[]): void {
    this.events.add(
      { sessionId: written.session_id, workspaceId: this.workspaceId, projectId: written.project_id },
      runSessionEvents(source, { start, extra }),
    );
  }
}

export const SQLSTATE = (error: unknown) =>
  error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;

/** Bad data in one row fails a whole statement: data exceptions (22) and program limits (54). */
export const isDataError = (error: unknown) => /^(22|54)/.test(SQLSTATE(error) ?? '');

/** A stored run's values as its session events need them. */
export function storedSource(w: WrittenRun): RunEventSource {
  return {
    id: w.id,
    traceId: w.trace_id,
    parentRunId: w.parent_run_id,
    name: w.name ?? '',
    runType: w.run_type ?? 'chain',
    status: w.status,
    startTime: w.start_time,
    endTime: w.end_time,
    inputs: w.inputs,
    outputs: w.outputs,
    error: w.error,
    tags: w.tags,
    metadata: w.metadata,
  };
}

/** A run the statement created, from what was sent (identical to what was stored). */
export function sentSource(w: WrittenRun, run: NormalizedRun): RunEventSource {
  return {
    id: w.id,
    traceId: w.trace_id,
    parentRunId: w.parent_run_id,
    name: run.name!,
    runType: run.runType!,
    status: w.status,
    startTime: w.start_time,
    endTime: w.end_time,
    inputs: run.inputs,
    outputs: run.outputs,
    error: run.error,
    tags: run.tags,
    metadata: run.extra?.metadata,
  };
}
