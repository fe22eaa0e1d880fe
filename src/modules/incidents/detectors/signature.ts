import { canonicalJson } from 'src/modules/sessions/events/event-content';

/**
 * Normalised text for fingerprints: lower case, with what changes from one run to the next
 * (quoted values, ids, URLs, e-mail addresses, paths, numbers) replaced by placeholders, so the
 * same failure in two sessions gives the same signature.
 */
export function normalizeText(text: string, maxLength = 80): string {
  return text
    .toLowerCase()
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '<q>')
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '<email>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<id>')
    .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b/g, '<id>')
    .replace(/(?:\/[\w.-]+){2,}\/?/g, '<path>')
    .replace(/\d+(?:[.,]\d+)*/g, '<n>')
    .replace(/[^\w<>:.\- ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, maxLength)
    .trim();
}

/** A tool or model name as it appears in signatures (bounded, no separators of the signature). */
export function normalizeName(name: string): string {
  return (
    name
      .trim()
      .replace(/[|\s]+/g, '_')
      .slice(0, 200) || 'unknown'
  );
}

const NAMED_ERROR = /\b([A-Z][A-Za-z0-9]*(?:Error|Exception|Timeout|Fault|Failure))\b/;
const TIMEOUT = /\btime[ds]?[ -]?out\b|\bdeadline exceeded\b|\bETIMEDOUT\b/i;
const HTTP_STATUS = /\b(?:http|status|code)\s*:?\s*([1-5]\d\d)\b|^([45]\d\d)\b/i;
const ERRNO = /\b(E[A-Z]{3,}[A-Z0-9]*)\b/;

/**
 * The class of an error: the reported class when there is one, else the error's name found in
 * its message (`ValueError`, `ECONNREFUSED`), an HTTP status, `timeout`, or the normalised message.
 */
export function errorClassOf(reported: unknown, message: unknown): string {
  if (typeof reported === 'string' && reported.trim()) {
    return reported
      .trim()
      .replace(/[^\w.:-]+/g, '_')
      .slice(0, 100);
  }
  const text = typeof message === 'string' ? message : '';
  const named = NAMED_ERROR.exec(text);
  if (named) return named[1];
  const errno = ERRNO.exec(text);
  if (errno) return errno[1];
  if (TIMEOUT.test(text)) return 'timeout';
  const status = HTTP_STATUS.exec(text);
  if (status) return `http_${status[1] ?? status[2]}`;
  return normalizeText(text, 60) || 'error';
}

/** Key of a tool call's arguments: canonical JSON, so key order does not matter. */
export function argumentsKey(args: unknown): string {
  return canonicalJson(args ?? {});
}

/** Rounds a confidence into [0, 1] with three decimals, so results compare exactly. */
export function confidence(value: number): number {
  const bounded = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
  return Math.round(bounded * 1000) / 1000;
}

/** Ascending distinct seqs, at most `max` (the first ones), for evidence lists. */
export function evidenceOf(seqs: Iterable<number>, max = 50): number[] {
  return [...new Set(seqs)].sort((a, b) => a - b).slice(0, max);
}

/** Text of a message's content: a string, or the text parts of a content array. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string'
          ? (part as { text: string }).text
          : '',
      )
      .filter(Boolean)
      .join('\n');
  }
  return '';
}
