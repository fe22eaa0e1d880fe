import { JobName } from 'src/queue/queue.constants';

/** Events read from the session log per query while building. */
export const EXAMPLE_EVENTS_PAGE = 1_000;
/** Progress is written to the database at most this often while a build runs. */
export const EXAMPLE_PROGRESS_INTERVAL_MS = 500;
/** JSONL text gathered before it is handed to the storage stream (fewer, larger writes). */
export const EXAMPLE_WRITE_CHUNK_BYTES = 64 * 1024;
/** Bounds of `options.max_messages_per_record`. */
export const MIN_MESSAGES_PER_RECORD = 2;
export const MAX_MESSAGES_PER_RECORD = 1_000;

/** Examples named when a suite they came from is to be deleted. */
export const MAX_NAMED_REFERENCES = 10;

export const EXAMPLE_CONTENT_TYPE = 'application/x-ndjson';

/** Where an example's JSONL lives, beside its session's files. */
export function exampleMessagesKey(workspaceId: string, projectId: string, exampleId: string): string {
  return `workspaces/${workspaceId}/projects/${projectId}/examples/${exampleId}/messages.jsonl`;
}

/** Jobs of the examples queue and their payloads. */
export interface BuildExampleJob {
  exampleId: string;
  workspaceId: string;
}
export interface ExamplesJobs {
  [JobName.BuildExample]: BuildExampleJob;
}
