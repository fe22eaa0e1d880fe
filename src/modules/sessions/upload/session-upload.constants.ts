/** Form fields of `POST /v1/sessions`. */
export const INPUT_EVENTS_FIELD = 'input_events';
export const UPLOAD_TEXT_FIELDS = ['suite_id', 'project_id', 'agent_name', 'agent_version'] as const;

/** Events appended per transaction in the second pass (each chunk awaited: bounded memory). */
export const UPLOAD_APPEND_CHUNK = 500;

/** Invalid lines reported at most; the upload stops reading at this many. */
export const UPLOAD_MAX_LINE_ERRORS = 100;

/** Agent name of an uploaded session whose form does not name one. */
export const UPLOAD_DEFAULT_AGENT_NAME = 'unknown';

/** Content type the uploaded file is stored with. */
export const JSONL_CONTENT_TYPE = 'application/x-ndjson';

/** Where an uploaded session's JSONL file is kept: under the session's own storage prefix. */
export const inputEventsKey = (workspaceId: string, projectId: string, sessionId: string) =>
  `${sessionStoragePrefix(workspaceId, projectId, sessionId)}/input_events.jsonl`;

/** The object-storage prefix of everything that belongs to one session (uploads, artifacts). */
export const sessionStoragePrefix = (workspaceId: string, projectId: string, sessionId: string) =>
  `workspaces/${workspaceId}/projects/${projectId}/sessions/${sessionId}`;
