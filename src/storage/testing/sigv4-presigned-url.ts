import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks the SigV4 signature of a presigned GET URL the way S3 does (expiry aside). s3rver 3.7
 * checks a presigned URL's expiry and access key but not its signature, so the S3 tests put this
 * in front of it to see that a tampered URL is refused.
 */
export function presignedUrlSignatureMatches(url: string, secretAccessKey: string): boolean {
  const parsed = new URL(url);
  const params = parsed.search
    .slice(1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [name, value = ''] = pair.split('=');
      return [decodeURIComponent(name), decodeURIComponent(value)] as const;
    });
  const one = (name: string): string | undefined => {
    const found = params.filter(([n]) => n === name);
    return found.length === 1 ? found[0][1] : undefined;
  };

  const signature = one('X-Amz-Signature');
  const credential = one('X-Amz-Credential');
  const amzDate = one('X-Amz-Date');
  const signedHeaders = one('X-Amz-SignedHeaders');
  if (one('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !signature || !credential || !amzDate || !signedHeaders) {
    return false;
  }
  const [, date, region, service, terminator] = credential.split('/');
  if (!date || !region || !service || terminator !== 'aws4_request') return false;
  if (signedHeaders !== 'host') return false; // all a presigned GetObject signs

  const canonicalQuery = params
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalRequest = [
    'GET',
    parsed.pathname,
    canonicalQuery,
    `host:${parsed.host}\n`,
    signedHeaders,
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  let key = hmac(`AWS4${secretAccessKey}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
