import { JobName } from 'src/queue/queue.constants';

/** Payload of an `incidents.analyze-session` job. */
export interface AnalyzeSessionJob {
  workspaceId: string;
  sessionId: string;
}

export interface IncidentJobs {
  [JobName.AnalyzeSession]: AnalyzeSessionJob;
}

/** One job id per session: while a run is waiting, more triggers for the session are no-ops (debounce). */
export const analyzeJobId = (sessionId: string) => `analyze:${sessionId}`;

/** Sessions listed on an incident as samples (the most recently seen). */
export const MAX_SAMPLE_SESSIONS = 20;

/** Events read per page when loading a session for analysis. */
export const ANALYSIS_PAGE_SIZE = 5_000;

/** Times an analysis job runs again when events arrived while it ran. */
export const MAX_ANALYSIS_ROUNDS = 3;
