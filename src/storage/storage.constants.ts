/** Route prefix of the signed local-storage download route; the local driver builds its URLs on it. */
export const LOCAL_STORAGE_ROUTE = 'storage/local';

/** Folder under DATA_DIR that holds the local driver's objects. */
export const LOCAL_OBJECTS_DIR = 'objects';

/** File under DATA_DIR that holds the generated signing secret when STORAGE_SIGNING_SECRET is unset. */
export const LOCAL_SIGNING_KEY_FILE = 'storage-signing.key';

/** Content type of an object whose own type is unknown. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Longest key S3 accepts (bytes); both drivers hold keys to it. */
export const MAX_OBJECT_KEY_LENGTH = 1024;

/** Longest key segment; leaves room under NAME_MAX (255) for the local driver's temp and sidecar suffixes. */
export const MAX_OBJECT_KEY_SEGMENT_LENGTH = 200;

/** Longest lifetime of a signed URL (S3's own ceiling for SigV4 presigned URLs). */
export const MAX_SIGNED_URL_TTL_SECONDS = 7 * 24 * 3600;

/** Multipart part size of S3 uploads: memory held per upload is about part size × queue size. */
export const S3_UPLOAD_PART_SIZE_BYTES = 8 * 1024 * 1024;
export const S3_UPLOAD_QUEUE_SIZE = 4;
