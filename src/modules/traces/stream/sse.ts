/**
 * Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 * Field values never contain a line break: data is one line of JSON (JSON.stringify escapes
 * CR and LF inside strings), names and ids are ours.
 */
export function eventFrame(event: string, data: unknown, id?: number): string {
  const json = JSON.stringify(data);
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${json}\n\n`;
}

/** A comment line: ignored by clients, keeps proxies and load balancers from timing the connection out. */
export function commentFrame(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** The reconnection delay an EventSource client should use when the stream ends. */
export function retryFrame(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}

/**
 * The position a `Last-Event-ID` header names: a non-negative integer (the `id:` of an event),
 * `undefined` when the header is absent or blank, `null` when it is anything else.
 */
export function parseLastEventId(raw: string | string[] | undefined): number | undefined | null {
  if (raw === undefined) return undefined;
  const value = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  if (value === '') return undefined;
  if (!/^\d{1,16}$/.test(value)) return null;
  const position = Number(value);
  return Number.isSafeInteger(position) ? position : null;
}
