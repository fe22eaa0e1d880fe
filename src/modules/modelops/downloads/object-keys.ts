import { DOWNLOAD_PARTS_PREFIX, MODEL_FILES_PREFIX } from '../modelops.constants';

const SAFE = /[A-Za-z0-9._-]/;

/**
 * One path segment as an object-key segment: characters outside `[A-Za-z0-9._-]` become `=XX`
 * per UTF-8 byte (`=` itself included), as does a leading dot or a dot after a dot, so that no
 * segment is `.` and no `..` appears. Reversible: a key names one file.
 */
export function encodeKeySegment(segment: string): string {
  let out = '';
  for (const char of segment) {
    if (char === '.' && (out === '' || out.endsWith('.')))
      out += '=2E'; // no "." segment, no ".."
    else if (SAFE.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Where the verified file `path` of a download is stored. */
export function modelFileKey(downloadId: string, path: string): string {
  return `${MODEL_FILES_PREFIX}/${downloadId}/${path.split('/').map(encodeKeySegment).join('/')}`;
}

/** Where part `index` of a file of a download is stored while it downloads. */
export function downloadPartKey(downloadId: string, fileId: string, index: number): string {
  return `${DOWNLOAD_PARTS_PREFIX}/${downloadId}/${fileId}/part-${String(index).padStart(6, '0')}`;
}

/** fnmatch-style patterns (`*`, `?`, as the hub's allow-patterns): `*.safetensors`, `onnx/*`. */
export function matchesAny(path: string, patterns: string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    return new RegExp(`^${source}$`).test(path);
  });
}
