import { sessionStoragePrefix } from 'src/modules/sessions/upload/session-upload.constants';

export const ARTIFACT_KINDS = ['replay', 'screenshot', 'file'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** Form fields of a multipart artifact upload. */
export const ARTIFACT_FILE_FIELD = 'file';
export const ARTIFACT_TEXT_FIELDS = ['kind', 'filename'] as const;

/** DI token of the artifact limits (content types allowed, largest size). */
export const ARTIFACT_LIMITS = Symbol('ARTIFACT_LIMITS');

export interface ArtifactLimits {
  /** Lower-case media types without parameters. */
  contentTypes: string[];
  maxBytes: number;
}

export function defaultArtifactKind(contentType: string): ArtifactKind {
  if (contentType.startsWith('image/')) return 'screenshot';
  if (contentType.startsWith('video/')) return 'replay';
  return 'file';
}

/** Where an uploaded artifact is kept: under its session's storage prefix. */
export const artifactKey = (workspaceId: string, projectId: string, sessionId: string, artifactId: string) =>
  `${sessionStoragePrefix(workspaceId, projectId, sessionId)}/artifacts/${artifactId}`;
