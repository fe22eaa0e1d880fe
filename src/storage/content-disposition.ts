// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A download file name without control characters or path separators, at most 255 characters. */
export function sanitizeFilename(filename: string): string {
  const clean = filename
    .replace(CONTROL_CHARS, '')
    .replace(/[/\\]/g, '_')
    .trim()
    .slice(0, 255)
    .replace(LONE_SURROGATE, '_');
  return clean === '' ? 'download' : clean;
}

/**
 * `attachment` with an ASCII fallback `filename` and an RFC 8187 `filename*` for everything else,
 * as RFC 6266 recommends.
 */
export function attachmentDisposition(filename: string): string {
  const name = sanitizeFilename(filename);
  const fallback = name.replace(/[^\x20-\x7e]|["%\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
