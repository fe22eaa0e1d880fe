import { JobName } from 'src/queue/queue.constants';

/** Timeout of an outbound call until its answer's headers arrive. */
export const OUTBOUND_DEFAULT_TIMEOUT_MS = 15_000;
/** Redirects an outbound GET follows (each target re-checked). */
export const OUTBOUND_MAX_REDIRECTS = 5;
/** A download whose body stalls this long is aborted (and resumed by the next attempt). */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 60_000;

/** Bytes buffered before a downloaded slice is stored as one part (a crash loses at most this). */
export const DOWNLOAD_PART_BYTES = 8 * 1024 * 1024;
/** Progress is written to the database at most this often while a file streams. */
export const DOWNLOAD_PROGRESS_INTERVAL_MS = 250;

/** Where downloaded files live in object storage. */
export const MODEL_FILES_PREFIX = 'modelops/models';
/** Where the parts of a download in progress live in object storage. */
export const DOWNLOAD_PARTS_PREFIX = 'modelops/downloads';

/** File of the generated key-encryption key under DATA_DIR (when MODELOPS_KEK is unset outside production). */
export const GENERATED_KEK_FILE = 'modelops-kek.key';
/** Version of the generated key-encryption key. */
export const GENERATED_KEK_VERSION = 'local';

/** Secret refs of other modules point at a saved credential with this prefix. */
export const CREDENTIAL_REF_PREFIX = 'modelops://credential/';

/** Characters of a test or validation answer kept in the stored row. */
export const STORED_EXCERPT_CHARS = 2_000;

/** The tasks a managed model serves (the capability it can be bound to). */
export const MODEL_TASKS = ['llm', 'embeddings'] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

export const MODEL_HOSTINGS = ['cloud', 'local'] as const;
export type ModelHosting = (typeof MODEL_HOSTINGS)[number];

/** Jobs of the ModelOps queue and their payloads. */
export interface DownloadModelJob {
  downloadId: string;
  /** The download's `run` when queued: a job of an earlier run steps aside. */
  run: number;
}
export interface ModelOpsJobs {
  [JobName.DownloadModel]: DownloadModelJob;
}
