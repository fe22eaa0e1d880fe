/**
 * Whether the client accepts a gzip body (RFC 9110 §12.5.3): `gzip` (or `x-gzip`) with a q-value
 * above 0, or `*` above 0 when gzip is not named. No header: no.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const entry of value.split(',')) {
    const [coding, ...params] = entry.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    const quality = Number.isFinite(weight) ? weight : 0;
    if (coding.trim() === 'gzip' || coding.trim() === 'x-gzip') gzip = Math.max(gzip ?? 0, quality);
    else if (coding.trim() === '*') any = quality;
  }
  return (gzip ?? any ?? 0) > 0;
}
